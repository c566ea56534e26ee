import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'
import { Problem, ValidationProblem } from './schemas.ts'

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

type JsonSchema = { type?: unknown; minimum?: number; properties?: Record<string, JsonSchema> }
type ValidationIssue = { instancePath: string; message: string; params: Record<string, unknown> }

const DIGITS = /^[0-9]+$/
const SIGNED_DIGITS = /^-?[0-9]+$/

/**
 * The rules for text (path and query parameters) that Ajv's coercion would bend: an integer is
 * decimal digits, with a sign only where the schema allows negatives (`1e3`, `0x10`, ` 5`,
 * `Infinity` and `1.5` are refused, not read as numbers), and no value holds U+0000, which
 * PostgreSQL cannot store. Ajv then coerces what passed and checks ranges.
 */
function textIssues(schema: JsonSchema, data: unknown): ValidationIssue[] | undefined {
  if (!data || typeof data !== 'object') return undefined
  for (const [name, raw] of Object.entries(data)) {
    const field = schema.properties?.[name]
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value !== 'string') continue
      const instancePath = `/${name}`
      if (value.includes('\0')) {
        return [{ instancePath, message: 'must not contain NUL characters', params: {} }]
      }
      if (field?.type !== 'integer') continue
      const pattern = (field.minimum ?? -1) >= 0 ? DIGITS : SIGNED_DIGITS
      if (!pattern.test(value)) {
        return [{ instancePath, message: 'must be a decimal integer', params: {} }]
      }
    }
  }
  return undefined
}

/** Checks text by `textIssues` before the compiled validator sees it. */
function strictText(schema: JsonSchema, validate: Validator): Validator {
  let issues: ValidationIssue[] | undefined
  const check = (...args: Parameters<Validator>) => {
    issues = textIssues(schema, args[0])
    return issues ? false : validate(...args)
  }
  Object.defineProperties(check, {
    errors: { get: () => issues ?? (validate as { errors?: unknown }).errors },
    schemaEnv: { get: () => (validate as { schemaEnv?: unknown }).schemaEnv },
  })
  return check as Validator
}

const acceptAll = Object.assign(() => true, { errors: null }) as unknown as Validator

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
 * needs it (or by `compileAll`) rather than all before the server listens, where they were most
 * of a restart. Problem responses are declared on every route for the OpenAPI document,
 * but the error handler sends them already serialized: they never get a serializer.
 */
export function createLazyCompilers(): LazyCompilers {
  const pending = new Set<() => unknown>()
  return {
    factory: {
      buildValidator: (externalSchemas, options) => {
        // Text (params, query, headers) is coerced to the schema's types; JSON already has types.
        const compileText = defaultValidators(externalSchemas, options)
        const compileJson = defaultValidators(externalSchemas, {
          ...options,
          customOptions: { ...options?.customOptions, coerceTypes: false },
        } as typeof options)
        return (route) => {
          // A multipart body is documented for OpenAPI but read as a stream by its handler,
          // which checks every part itself: there is no parsed body to validate.
          const { contentType } = route as { contentType?: string }
          if (route.httpPart === 'body' && contentType?.startsWith('multipart/')) {
            return acceptAll
          }
          if (route.httpPart === 'body') {
            return lazyValidator(onFirstUse(() => compileJson(route), pending))
          }
          const validate = lazyValidator(onFirstUse(() => compileText(route), pending))
          return strictText(route.schema as JsonSchema, validate)
        }
      },
      buildSerializer: (externalSchemas, options) => {
        const compile = defaultSerializers(externalSchemas, options)
        return (route) => {
          if (route.schema === Problem || route.schema === ValidationProblem) return JSON.stringify
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
