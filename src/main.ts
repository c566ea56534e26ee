import cluster from 'node:cluster'
import type { Config } from './config.ts'
import { openDatabase } from './core/db/database.ts'
import type { Logger } from './core/logger.ts'
import type { serveMetrics } from './core/metrics.ts'
import { exitOnStartupError, exitWith, startLongRunningProcess, stopOnSignal } from './startup.ts'

const startedAt = performance.now()
const { config, logger } = startLongRunningProcess()

/** One HTTP process: alone, or one of the cluster's workers (then migrations and seeds are done). */
async function serve(config: Config, logger: Logger): Promise<void> {
  const inCluster = cluster.isWorker
  // The embedded database is slow to start, on its own thread: it is opened first, and the
  // rest of the code (most of what there is to load) is imported and the app built meanwhile.
  const database = await openDatabase(config, logger, 'app').catch(exitOnStartupError)
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
  }).catch(exitOnStartupError)
  // The app is built, and made ready, while the database starts.
  const [{ app, services, context, compileSchemas }] = await Promise.all([
    createApplication(infrastructure.deps).then(async (application) => {
      await application.app.ready()
      return application
    }),
    (config.MIGRATE_ON_START && !inCluster ? database.migrate() : database.ping()).catch(
      async (error) => {
        await infrastructure.close()
        exitOnStartupError(error)
      },
    ),
  ])
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined
  // Names the one setting whose port is taken, whichever listen fails.
  const listenOn = async (setting: string, port: number, listen: () => Promise<unknown>) => {
    try {
      await listen()
    } catch (error) {
      await infrastructure.close()
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        exitWith(
          `${setting}=${port}: port ${port} on ${config.HOST} is already in use: stop what holds it or choose another ${setting}`,
        )
      }
      throw error
    }
  }
  try {
    if (!inCluster) await seedModules(modules, services, context)
  } catch (error) {
    await infrastructure.close()
    throw error
  }
  await listenOn('PORT', config.PORT, () => app.listen({ host: config.HOST, port: config.PORT }))
  // Jobs wait in their queue meanwhile: working them need not delay serving.
  if (config.RUN_WORKERS) {
    await infrastructure.deps.jobs.work(jobHandlersOf(modules, services, context))
  }
  const metricsPort = config.METRICS_PORT
  if (metricsPort && !inCluster) {
    const { metricsText, serveMetrics } = await import('./core/metrics.ts')
    await listenOn('METRICS_PORT', metricsPort, async () => {
      metricsServer = await serveMetrics(config.HOST, metricsPort, metricsText)
    })
  }

  const databaseKind = config.DATABASE_URL
    ? 'PostgreSQL'
    : `embedded PostgreSQL in ${config.DATA_DIR}`
  const { port } = app.server.address() as { port: number }
  const host = ['0.0.0.0', '::'].includes(config.HOST) ? 'localhost' : config.HOST
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  logger.info(
    { startupMs: Math.round(performance.now() - startedAt) },
    `${config.APP_NAME} listening on ${base} (${databaseKind}${config.RUN_WORKERS ? ', working jobs' : ''})${config.DOCS_ENABLED ? `; API docs at ${base}/docs` : ''}`,
  )
  compileSchemas().catch((error) => logger.error({ err: error }, 'a route schema does not compile'))

  stopOnSignal(
    logger,
    { stopping: 'shutting down: finishing in-flight requests', stopped: 'stopped' },
    async () => {
      const force = setTimeout(() => app.server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS)
      force.unref()
      metricsServer?.close()
      await app.close()
      clearTimeout(force)
      await infrastructure.close()
    },
  )
}

if (cluster.isPrimary && config.WEB_CONCURRENCY > 1) {
  const { runCluster } = await import('./cluster.ts')
  await runCluster(config, logger)
} else {
  await serve(config, logger)
}
