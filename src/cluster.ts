import cluster, { type Worker } from 'node:cluster'
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { Config } from './config.ts'
import type { Logger } from './core/logger.ts'
import { promClient, serveMetrics } from './core/metrics.ts'
import { createModuleContext, createServices, seedModules } from './core/module.ts'
import { openInfrastructure } from './infrastructure.ts'
import { modules } from './modules/index.ts'
import { exitOnStartupError, exitWith, stopOnSignal } from './startup.ts'

/** A worker that dies sooner than this after its start is restarted after a pause, not at once. */
const CRASH_LOOP_MS = 5000

/**
 * `WEB_CONCURRENCY` > 1: this process migrates and seeds once, then runs that many HTTP workers
 * sharing the port (node:cluster), replaces any that dies, serves the cluster's metrics, and on
 * SIGTERM stops them all gracefully. It serves no requests itself.
 */
export async function runCluster(config: Config, logger: Logger): Promise<void> {
  if (!config.DATABASE_URL) {
    exitWith(
      `WEB_CONCURRENCY=${config.WEB_CONCURRENCY} needs DATABASE_URL: the embedded database allows one process`,
    )
  }
  const infrastructure = await openInfrastructure(config, logger, 'app', {
    migrate: config.MIGRATE_ON_START,
  }).catch(exitOnStartupError)
  try {
    const context = createModuleContext(infrastructure.deps)
    await seedModules(modules, createServices(context, modules), context)
  } finally {
    await infrastructure.close()
  }

  let metricsServer: Server | undefined
  if (config.METRICS_PORT) {
    const aggregator = new (promClient().AggregatorRegistry)()
    metricsServer = await serveMetrics(config.HOST, config.METRICS_PORT, () =>
      aggregator.clusterMetrics(),
    )
  }

  const bornAt = new Map<Worker, number>()
  const fork = () => bornAt.set(cluster.fork(), Date.now())
  const stopper = stopOnSignal(
    logger,
    { stopping: 'stopping HTTP workers', stopped: 'stopped' },
    async () => {
      const workers = [...bornAt.keys()]
      const exited = Promise.all(workers.map((worker) => once(worker, 'exit')))
      for (const worker of workers) worker.process.kill('SIGTERM')
      const force = setTimeout(() => {
        for (const worker of workers) worker.process.kill('SIGKILL')
      }, config.SHUTDOWN_TIMEOUT_MS + 5000)
      await exited
      clearTimeout(force)
      metricsServer?.close()
    },
  )
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (bornAt.get(worker) ?? 0)
    bornAt.delete(worker)
    if (stopper.isStopping()) return
    logger.error({ pid: worker.process.pid, code, signal }, 'HTTP worker died; starting another')
    setTimeout(fork, lived < CRASH_LOOP_MS ? 1000 : 0)
  })
  for (let i = 0; i < config.WEB_CONCURRENCY; i++) fork()
  logger.info(
    { workers: config.WEB_CONCURRENCY, metricsPort: config.METRICS_PORT },
    `${config.APP_NAME}: ${config.WEB_CONCURRENCY} HTTP workers on http://${config.HOST}:${config.PORT}`,
  )
}
