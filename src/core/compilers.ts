import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'
import { Problem } from './schemas.ts'

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>
type Validator = ReturnType<ReturnType<ValidatorFactory>>
type Serializer = ReturnType<ReturnType<SerializerFactory>>

const defaultValidators = AjvCompiler()
const defaultSerializers = SerializerSelector()

/**
 * A validator compiled by its first call: Fastify reads `schemaEnv` (to let Ajv coerce a root
 * value) and `errors` from the function it is given, so both are forwarded to the compiled one.
 */
function validatorOnFirstUse(compile: () => Validator): Validator {
  let compiled: Validator | undefined
  const get = () => {
    compiled ??= compile()
    return compiled
  }
  const validate = (...args: Parameters<Validator>) => get()(...args)
  Object.defineProperties(validate, {
    errors: { get: () => (get() as { errors?: unknown }).errors },
    schemaEnv: { get: () => (get() as { schemaEnv?: unknown }).schemaEnv },
  })
  return validate as Validator
}

function serializerOnFirstUse(compile: () => Serializer): Serializer {
  let compiled: Serializer | undefined
  return (data) => {
    compiled ??= compile()
    return compiled(data)
  }
}

/**
 * Fastify's own Ajv and fast-json-stringify compilers, each schema compiled when a request first
 * needs it rather than all (~300) at start-up, where they took ~0.4 s of a restart. Problem
 * responses are declared on every route for the OpenAPI document, but the error handler sends
 * them already serialized: they never get a serializer.
 */
export const lazyCompilers: CompilersFactory = {
  buildValidator: (externalSchemas, options) => {
    const compile = defaultValidators(externalSchemas, options)
    return (route) => validatorOnFirstUse(() => compile(route))
  },
  buildSerializer: (externalSchemas, options) => {
    const compile = defaultSerializers(externalSchemas, options)
    return (route) =>
      route.schema === Problem ? JSON.stringify : serializerOnFirstUse(() => compile(route))
  },
}
