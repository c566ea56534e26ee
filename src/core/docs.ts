import { readFile } from 'node:fs/promises'
import { STATUS_CODES } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyDynamicSwaggerOptions, SwaggerTransform } from '@fastify/swagger'
import type { Config } from '../config.ts'
import type { RouteAccess } from './auth/access.ts'
import type { App, AppModule } from './module.ts'
import { Problem, problemResponses, ValidationProblem } from './schemas.ts'

/** What a conventional error means, whichever route answers it (API.md). */
const ERROR_MEANINGS: Record<number, string> = {
  400: 'The body is not well-formed (JSON that does not parse, a broken multipart body)',
  401: 'No valid bearer token: missing, malformed, expired, or its session has ended',
  403: 'Signed in, but not allowed: an inactive account, or a permission not held',
  404: 'No such record (or one the caller may not see)',
  409: 'Conflicts with the current state (a duplicate, a protected record)',
  413: 'The body is larger than allowed',
  415: 'The body’s content type is not accepted',
  422: 'Invalid input: `errors` names each field and what is wrong',
  429: 'Too many requests: try again after `Retry-After` seconds',
  503: 'A dependency (database, Redis) is unreachable: try again after `Retry-After` seconds',
}

interface RouteDocs {
  access?: RouteAccess
  rateLimits?: unknown[]
}

/**
 * Adds to a route's document what the conventions make true of it (its own schema is left as
 * it is): its security, and the errors every such route can answer — 401/403 when protected,
 * 400/413/415 when it takes a body, 422 (every route refuses undeclared query parameters), 429
 * when rate-limited, and 503 when it needs a dependency.
 */
function describeRoute({ schema, url, route }: Parameters<SwaggerTransform>[0]) {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url }
  const config = (route.config ?? {}) as RouteDocs
  const isPublic = config.access?.kind !== 'user' && config.access?.kind !== 'permission'
  const statuses: number[] = [422]
  if (!isPublic) statuses.push(401, 403)
  if (schema.body) statuses.push(400, 413, 415)
  if (config.rateLimits?.length) statuses.push(429)
  if (url !== '/health') statuses.push(503)
  const declared = (schema.response ?? {}) as Record<string, unknown>
  return {
    url,
    schema: {
      ...schema,
      response: { ...problemResponses(...statuses), ...declared },
      security: isPublic ? [] : [{ bearerAuth: [] }],
    },
  }
}

type Json = Record<string, unknown>

/** The schemas of the answers sent as `application/problem+json`. */
const PROBLEMS = new Set(
  [Problem, ValidationProblem].map((schema) => (schema as { title?: string }).title),
)

/**
 * The finished document: every schema with a `title` becomes a named component, referenced
 * wherever it is used; error responses are `application/problem+json` and described by their
 * meaning; successes by their status.
 */
function finishDocument(document: Json): Json {
  const components: Record<string, Json> = {}
  const hoist = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hoist)
    if (!node || typeof node !== 'object') return node
    const copy = Object.fromEntries(
      Object.entries(node as Json).map(([key, value]) => [key, hoist(value)]),
    )
    const name = copy.title
    if (typeof name !== 'string') return copy
    const { title: _title, ...schema } = copy
    const known = components[name]
    if (known && JSON.stringify(known) !== JSON.stringify(schema)) {
      throw new Error(`Two different schemas are named ${name}`)
    }
    components[name] = schema
    return { $ref: `#/components/schemas/${name}` }
  }
  const paths = document.paths as Record<string, Record<string, Json>>
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody as { content?: Json } | undefined
      if (body?.content) body.content = hoist(body.content) as Json
      const responses = (operation.responses ?? {}) as Record<string, Json>
      for (const [status, response] of Object.entries(responses)) {
        const code = Number(status)
        let content = response.content as Json | undefined
        const json = content?.['application/json'] as { schema?: Json } | undefined
        const problem = json !== undefined && PROBLEMS.has(json.schema?.title as string)
        if (problem) content = { 'application/problem+json': json }
        responses[status] = {
          ...response,
          description: problem
            ? (ERROR_MEANINGS[code] ?? STATUS_CODES[code] ?? 'Error')
            : response.description === 'Default Response'
              ? (STATUS_CODES[code] ?? 'Success')
              : response.description,
          ...(content ? { content: hoist(content) } : {}),
        }
      }
    }
  }
  const existing = (document.components ?? {}) as Json
  return {
    ...document,
    components: {
      ...existing,
      schemas: Object.fromEntries(
        Object.entries(components).sort(([a], [b]) => a.localeCompare(b)),
      ),
    },
  }
}

/** What the document says of the API as a whole; modules add their tags. */
function documentInfo(config: Pick<Config, 'APP_NAME'>, modules: AppModule[]) {
  return {
    openapi: '3.1.0',
    info: {
      title: config.APP_NAME,
      version: '1.0.0',
      description:
        'Food Fleet REST API. Errors are RFC 9457 problem details (application/problem+json) with a stable `code`.',
      contact: { name: 'Food Fleet' },
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    tags: modules
      .filter((module) => module.routes)
      .map((module) => ({ name: module.name, description: module.description })),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token from /api/v1/auth/login or /api/v1/auth/refresh',
        },
      },
    },
  }
}

/**
 * When `DOCS_ENABLED`: collects every route's schemas into an OpenAPI 3.1 document
 * (`/openapi.json`) and serves the interactive docs at `/docs` — under helmet's full header set
 * and a CSP that allows the UI's own inline styles. The plugins are loaded only then: they bring
 * a file server and a YAML parser, which production, with the docs off by default, never needs.
 */
export async function registerDocs(app: App, config: Config, modules: AppModule[]): Promise<void> {
  if (!config.DOCS_ENABLED) return
  const [{ default: swagger }, { default: helmet }, { default: swaggerUi }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/helmet'),
    import('@fastify/swagger-ui'),
  ])
  await app.register(swagger, {
    openapi: documentInfo(config, modules) as FastifyDynamicSwaggerOptions['openapi'],
    transform: describeRoute,
    transformObject: (document) =>
      finishDocument((document as { openapiObject: Json }).openapiObject),
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  await app.register(async (docs) => {
    await docs.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
        },
      },
    })
    // Its files are named here rather than found beside its code, so that `npm start` can bundle
    // the plugin instead of loading its many modules from node_modules at each start.
    const files = join(
      dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')),
      'static',
    )
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      baseDir: files,
      logo: { type: 'image/svg+xml', content: await readFile(join(files, 'logo.svg')) },
      staticCSP: true,
      transformStaticCSP: (header) =>
        header.replace("style-src 'self' https:", "style-src 'self' 'unsafe-inline' https:"),
    })
  })
}
