import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import swagger from '@fastify/swagger'
import type { Config } from '../config.ts'
import type { App } from './module.ts'

/**
 * Collects every route's schemas into an OpenAPI 3.1 document (`/openapi.json`) and serves the
 * interactive docs at `/docs` when `DOCS_ENABLED` — under helmet's full header set and a CSP
 * that allows the UI's own inline styles. The UI and helmet are loaded only then: Swagger UI
 * brings its file server and a YAML parser (~0.1 s of a start), which production, with the docs
 * off by default, never needs.
 */
export async function registerDocs(app: App, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: config.APP_NAME,
        version: '1.0.0',
        description: 'Food Fleet REST API. Errors are RFC 9457 problem details.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  })
  if (!config.DOCS_ENABLED) return
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  const [{ default: helmet }, { default: swaggerUi }] = await Promise.all([
    import('@fastify/helmet'),
    import('@fastify/swagger-ui'),
  ])
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
    // the plugin: loading it from node_modules (~100 modules) cost ~0.1 s of each start.
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
