import { createApplication } from './app.ts'
import { createLogger } from './core/logger.ts'
import { jobHandlersOf, seedModules } from './core/module.ts'
import { openInfrastructure } from './infrastructure.ts'
import { modules } from './modules/index.ts'
import { exitWith, explainStartupError, loadConfigOrExit } from './startup.ts'

const startedAt = performance.now()
const config = loadConfigOrExit()
const logger = createLogger(config)

function stopOnStartupError(error: unknown): never {
  const explained = explainStartupError(error)
  if (explained) exitWith(explained)
  throw error
}

// The app is built while the database starts and migrates: both take a few hundred ms.
const infrastructure = await openInfrastructure(config, logger, 'app', { migrate: false }).catch(
  stopOnStartupError,
)
const { database } = infrastructure.deps
const [{ app, services, context }] = await Promise.all([
  createApplication(infrastructure.deps),
  (config.MIGRATE_ON_START ? database.migrate() : database.ping()).catch(async (error) => {
    await infrastructure.close()
    stopOnStartupError(error)
  }),
])
try {
  await seedModules(modules, services, context)
  if (config.RUN_WORKERS) {
    await infrastructure.deps.jobs.work(jobHandlersOf(modules, services, context))
  }
  await app.listen({ host: config.HOST, port: config.PORT })
} catch (error) {
  await infrastructure.close()
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    exitWith(
      `Port ${config.PORT} on ${config.HOST} is already in use: stop what holds it or set PORT`,
    )
  }
  throw error
}

const databaseKind = config.DATABASE_URL
  ? 'PostgreSQL'
  : `embedded PostgreSQL in ${config.DATA_DIR}`
logger.info(
  { startupMs: Math.round(performance.now() - startedAt) },
  `${config.APP_NAME} listening on http://${config.HOST}:${config.PORT} (${databaseKind}${config.RUN_WORKERS ? ', working jobs' : ''}${config.DOCS_ENABLED ? ', docs at /docs' : ''})`,
)

let stopping = false
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'shutting down: finishing in-flight requests')
  const force = setTimeout(() => app.server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS)
  force.unref()
  try {
    await app.close()
    clearTimeout(force)
    await infrastructure.close()
    logger.info('stopped')
    process.exit(0)
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed')
    process.exit(1)
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, (received) => void shutdown(received))
}
