import type { Config } from './config.ts'
import { cacheFor } from './core/cache.ts'
import { systemClock } from './core/clock.ts'
import { type DatabaseHandle, openDatabase } from './core/db/database.ts'
import type { AppDeps } from './core/deps.ts'
import { createBullJobs, type JobSettings, type Jobs } from './core/jobs.ts'
import { createInProcessJobs } from './core/jobs-in-process.ts'
import type { Logger } from './core/logger.ts'
import { createMailer } from './core/mail.ts'
import { createMetrics } from './core/metrics.ts'
import { connectRedis, type Redis, waitForRedis } from './core/redis.ts'
import { createSmsSender } from './core/sms.ts'
import { storageFor } from './core/storage.ts'
import { createTemplates } from './core/templates.ts'

export interface Infrastructure {
  deps: AppDeps
  close(): Promise<void>
}

/**
 * Opens what the app, the worker and the CLI all need, in the fixed order of DESIGN.md:
 * database (migrated when asked), then Redis and the cache. `close` undoes it in reverse.
 * With `migrate: false` the database may still be starting: the first query waits for it.
 * `database` is one `openDatabase` already opened (main.ts starts it before loading the rest).
 */
export async function openInfrastructure(
  config: Config,
  logger: Logger,
  purpose: 'app' | 'worker' | 'cli',
  {
    migrate = config.MIGRATE_ON_START,
    database,
  }: { migrate?: boolean; database?: DatabaseHandle } = {},
): Promise<Infrastructure> {
  database ??= await openDatabase(config, logger, purpose)
  let redis: Redis | undefined
  try {
    if (migrate) await database.migrate()
    if (config.REDIS_URL) {
      redis = connectRedis(config.REDIS_URL, purpose, logger)
      await waitForRedis(redis)
    }
  } catch (error) {
    redis?.disconnect()
    await database.close()
    throw error
  }
  const deps = assembleDeps(config, logger, database, redis)
  return {
    deps,
    async close() {
      await deps.jobs.close(config.SHUTDOWN_TIMEOUT_MS)
      deps.mailer.close()
      deps.sms.close()
      await deps.cache.close()
      await redis?.quit().catch(() => redis?.disconnect())
      await database.close()
    },
  }
}

/** Everything else the app needs, around an open database and Redis (tests build theirs too). */
export function assembleDeps(
  config: Config,
  logger: Logger,
  database: DatabaseHandle,
  redis: Redis | undefined,
): AppDeps {
  const templates = createTemplates()
  const metrics = createMetrics(config.METRICS_PORT !== undefined)
  const jobs = jobsFor(config, logger, metrics.observeJob)
  metrics.watch(database, jobs)
  return {
    config,
    logger,
    database,
    redis,
    cache: cacheFor(config, redis, logger),
    storage: storageFor(config),
    jobs,
    templates,
    mailer: createMailer(config, templates, logger),
    sms: createSmsSender(config, logger),
    metrics,
    clock: systemClock,
  }
}

/** BullMQ when `REDIS_URL` is set (shared by every process), else the in-process runner. */
function jobsFor(config: Config, logger: Logger, observe?: JobSettings['observe']): Jobs {
  const settings = {
    attempts: config.JOB_ATTEMPTS,
    backoffMs: config.JOB_BACKOFF_MS,
    concurrency: config.JOB_CONCURRENCY,
    logger,
    observe,
  }
  return config.REDIS_URL
    ? createBullJobs(config.REDIS_URL, config.REDIS_KEY_PREFIX, {
        ...settings,
        lockMs: config.JOB_LOCK_MS,
      })
    : createInProcessJobs(settings)
}
