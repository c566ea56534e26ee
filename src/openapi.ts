import { createApplication } from './app.ts'
import { loadConfig } from './config.ts'
import { openPostgres } from './core/db/database.ts'
import { createLogger } from './core/logger.ts'
import { assembleDeps } from './infrastructure.ts'

/**
 * The OpenAPI document of the API as the default configuration serves it, built without a
 * server or a database: the routes are registered and described, never called, so the
 * database pool is never connected. `npm run openapi` writes it to `openapi/openapi.json`.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  // Fixed so that no setting of this machine reaches the document (and no secret is generated).
  const config = loadConfig({ SECRET_KEY: 'openapi-document-only-never-signs-anything' })
  const logger = createLogger({ ...config, LOG_LEVEL: 'silent' })
  const database = await openPostgres('postgresql://127.0.0.1:1/unused', 1, { logger })
  const deps = assembleDeps(config, logger, database, undefined)
  const { app } = await createApplication(deps)
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
    await deps.jobs.close()
    await database.close()
  }
}
