import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'
import { Problem } from './schemas.ts'

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type Validator = ReturnType<ReturnType<ValidatorFactory>>

const defaultValidators = AjvCompiler()
const defaultSerializers = SerializerSelector()

/**
 * Compiles on first use; until then the compilation waits in `pending`, so it can also be done
 * ahead of the first request.
 */
function onFirstUse<Compiled>(compile: () => Compiled, pending: Set<() => unknown>) {
  let compiled: Compiled | undefined
  const get = () => {
    if (compiled === undefined) {
      compiled = compile()
      pending.delete(get)
    }
    return compiled
  }
  pending.add(get)
  return get
}

/**
 * A validator compiled by its first call: Fastify reads `schemaEnv` (to let Ajv coerce a root
 * value) and `errors` from the function it is given, so both are forwarded to the compiled one.
 */
function lazyValidator(get: () => Validator): Validator {
  const validate = (...args: Parameters<Validator>) => get()(...args)
  Object.defineProperties(validate, {
    errors: { get: () => (get() as { errors?: unknown }).errors },
    schemaEnv: { get: () => (get() as { schemaEnv?: unknown }).schemaEnv },
  })
  return validate as Validator
}

export interface LazyCompilers {
  factory: CompilersFactory
  /**
   * Compiles every schema no request has needed yet, one per turn of the event loop so that
   * requests are served meanwhile; rejects with the first that cannot be compiled.
   */
  compileAll(): Promise<void>
}

/**
 * Fastify's own Ajv and fast-json-stringify compilers, each schema compiled when a request first
 * needs it (or by `compileAll`) rather than all (~300) before the server listens, where they took
 * ~0.4 s of a restart. Problem responses are declared on every route for the OpenAPI document,
 * but the error handler sends them already serialized: they never get a serializer.
 */
export function createLazyCompilers(): LazyCompilers {
  const pending = new Set<() => unknown>()
  return {
    factory: {
      buildValidator: (externalSchemas, options) => {
        const compile = defaultValidators(externalSchemas, options)
        return (route) => lazyValidator(onFirstUse(() => compile(route), pending))
      },
      buildSerializer: (externalSchemas, options) => {
        const compile = defaultSerializers(externalSchemas, options)
        return (route) => {
          if (route.schema === Problem) return JSON.stringify
          const get = onFirstUse(() => compile(route), pending)
          return (data) => get()(data)
        }
      },
    },
    async compileAll() {
      for (const get of pending) {
        get()
        await new Promise(setImmediate)
      }
    },
  }
}
