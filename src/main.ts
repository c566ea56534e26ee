import cluster from 'node:cluster'
import type { Config } from './config.ts'
import { openDatabase } from './core/db/database.ts'
import { createLogger, type Logger } from './core/logger.ts'
import type { serveMetrics } from './core/metrics.ts'
import { boundHeapGrowth, exitWith, explainStartupError, loadConfigOrExit } from './startup.ts'

const startedAt = performance.now()
boundHeapGrowth()
const config = loadConfigOrExit()
const logger = createLogger(config)

function stopOnStartupError(error: unknown): never {
  const explained = explainStartupError(error)
  if (explained) exitWith(explained)
  throw error
}

/** One HTTP process: alone, or one of the cluster's workers (then migrations and seeds are done). */
async function serve(config: Config, logger: Logger): Promise<void> {
  const inCluster = cluster.isWorker
  // The embedded database takes ~0.6 s to start, on its own thread: it is opened first, and the
  // rest of the code (most of what there is to load) is imported and the app built meanwhile.
  const database = await openDatabase(config, logger, 'app').catch(stopOnStartupError)
  const [
    { openInfrastructure },
    { createApplication },
    { modules },
    { jobHandlersOf, seedModules },
  ] = await Promise.all([
    import('./infrastructure.ts'),
    import('./app.ts'),
    import('./modules/index.ts'),
    import('./core/module.ts'),
  ])
  const infrastructure = await openInfrastructure(config, logger, 'app', {
    migrate: false,
    database,
  }).catch(stopOnStartupError)
  // The app is built, and made ready, while the database starts.
  const [{ app, services, context, compileSchemas }] = await Promise.all([
    createApplication(infrastructure.deps).then(async (application) => {
      await application.app.ready()
      return application
    }),
    (config.MIGRATE_ON_START && !inCluster ? database.migrate() : database.ping()).catch(
      async (error) => {
        await infrastructure.close()
        stopOnStartupError(error)
      },
    ),
  ])
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined
  try {
    if (!inCluster) await seedModules(modules, services, context)
    await app.listen({ host: config.HOST, port: config.PORT })
    // Jobs wait in their queue meanwhile: working them need not delay serving.
    if (config.RUN_WORKERS) {
      await infrastructure.deps.jobs.work(jobHandlersOf(modules, services, context))
    }
    if (config.METRICS_PORT && !inCluster) {
      const { metricsText, serveMetrics } = await import('./core/metrics.ts')
      metricsServer = await serveMetrics(config.HOST, config.METRICS_PORT, metricsText)
    }
  } catch (error) {
    await infrastructure.close()
    const { code } = error as NodeJS.ErrnoException
    if (code === 'EADDRINUSE') {
      exitWith(
        `Port ${config.PORT} or ${config.METRICS_PORT} on ${config.HOST} is already in use: stop what holds it or change the port`,
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
  compileSchemas().catch((error) => logger.error({ err: error }, 'a route schema does not compile'))

  let stopping = false
  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    const force = setTimeout(() => app.server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS)
    force.unref()
    try {
      metricsServer?.close()
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
}

if (cluster.isPrimary && config.WEB_CONCURRENCY > 1) {
  const { runCluster } = await import('./cluster.ts')
  await runCluster(config, logger)
} else {
  await serve(config, logger)
}
