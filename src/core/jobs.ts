import type { Queue, Worker } from 'bullmq'
import { withDeadline } from './deadline.ts'
import { lazyRequire } from './lazy.ts'
import type { Logger } from './logger.ts'
import { ioredis, type Redis } from './redis.ts'

/** BullMQ, a large library, is loaded only by a process with `REDIS_URL`. */
const bullmq = lazyRequire<typeof import('bullmq')>('bullmq')

/** A kind of background job and the payload it carries; modules declare them in `<name>.jobs.ts`. */
export interface JobType<Payload> {
  readonly name: string
  /** Tries before the job fails for good (default `JOB_ATTEMPTS`). */
  readonly attempts?: number
  /** Never set: it only carries the payload's type. */
  payloadOf?(payload: Payload): void
}

export function jobType<Payload>(
  name: string,
  options: { attempts?: number } = {},
): JobType<Payload> {
  return { name, ...options }
}

export interface JobRun {
  /** 1 on the first try. */
  attempt: number
  /** When `attempt` reaches it, a failure is final. */
  maxAttempts: number
}

/** What a process that works jobs runs for one job type (the guide's Celery task / beat entry). */
export interface JobHandler<Payload = unknown> {
  type: JobType<Payload>
  run(payload: Payload, run: JobRun): Promise<void>
  /**
   * Also run on this cron schedule (UTC; 5 fields, or 6 with seconds) with this payload, and
   * once when a process starts working jobs if `atStart`.
   */
  schedule?: { cron: string; payload: Payload; atStart?: boolean }
}

export function handleJob<Payload>(
  type: JobType<Payload>,
  run: JobHandler<Payload>['run'],
  options: Omit<JobHandler<Payload>, 'type' | 'run'> = {},
): JobHandler<Payload> {
  return { type, run, ...options }
}

export interface Jobs {
  readonly backend: 'bullmq' | 'in-process'
  /**
   * Queues a run. With an `id`, a job of that id still waiting, retrying or running is not
   * queued twice; once it has ended (done, failed, stalled out, removed, or lost with Redis's
   * data), the id queues a new run.
   */
  enqueue<Payload>(
    type: JobType<Payload>,
    payload: Payload,
    options?: { id?: string },
  ): Promise<void>
  /**
   * Starts working these jobs and their schedules in this process (worker, or RUN_WORKERS).
   * With Redis, the schedules are made again, and the `atStart` runs queued again, each time the
   * connection comes back (Redis may have restarted empty).
   */
  work(handlers: JobHandler[]): Promise<void>
  /** Jobs by state (waiting, delayed, active, failed), for metrics. */
  depth(): Promise<Record<string, number>>
  /** Stops taking jobs and lets running ones finish, for at most `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>
}

export type JobOutcome = 'completed' | 'retried' | 'failed'

export interface JobSettings {
  attempts: number
  /** First retry delay; each further retry doubles it. */
  backoffMs: number
  concurrency: number
  logger: Logger
  /** Told of every run's end (metrics). */
  observe?(job: string, outcome: JobOutcome, seconds: number): void
}

/** Runs a handler, telling `observe` how it ended. */
export async function observed(
  settings: JobSettings,
  handler: JobHandler,
  payload: unknown,
  run: JobRun,
): Promise<void> {
  const started = performance.now()
  const report = (outcome: JobOutcome) =>
    settings.observe?.(handler.type.name, outcome, (performance.now() - started) / 1000)
  try {
    await handler.run(payload, run)
    report('completed')
  } catch (error) {
    report(run.attempt >= run.maxAttempts ? 'failed' : 'retried')
    throw error
  }
}

export const backoffDelay = (backoffMs: number, attempt: number) => backoffMs * 2 ** (attempt - 1)

export function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise((resolve) => {
    timer = setTimeout(resolve, timeoutMs)
  })
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}

/** How long a request waits for Redis to take a job before it is told the queue is unavailable. */
const ENQUEUE_TIMEOUT_MS = 1000

/**
 * BullMQ on Redis: jobs survive restarts and are shared by every process; retries back off
 * exponentially; failed jobs are kept (7 days) for inspection; schedules are job schedulers, so
 * several workers still run each occurrence once. A worker that dies mid-job has the job
 * picked up again within `lockMs` (at least once): its lock lasts a third of it, and stalled
 * jobs are looked for every third, by whichever worker comes first (so up to two thirds apart).
 */
export function createBullJobs(
  redisUrl: string,
  keyPrefix: string,
  settings: JobSettings & { lockMs: number },
): Jobs {
  const prefix = `${keyPrefix}bull`
  const connections: Redis[] = []
  const connect = () => {
    const connection = new (ioredis().Redis)(redisUrl, { maxRetriesPerRequest: null })
    connections.push(connection)
    return connection
  }
  let queue: Queue | undefined
  let queueConnection: Redis | undefined
  // BullMQ reports every failed reconnection to a lost Redis: one line a minute says it.
  let lastReported = 0
  const reportError = (what: string) => (error: Error) => {
    if (Date.now() - lastReported < 60_000) return
    lastReported = Date.now()
    settings.logger.warn(
      { err: error },
      `${what} failed (more failures this minute are not logged)`,
    )
  }
  const queueOf = () => {
    if (queue) return queue
    queueConnection = connect()
    queue = new (bullmq().Queue)('jobs', {
      connection: queueConnection,
      prefix,
      defaultJobOptions: {
        attempts: settings.attempts,
        backoff: { type: 'exponential', delay: settings.backoffMs },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    })
    queue.on('error', reportError('job queue'))
    return queue
  }
  let worker: Worker | undefined
  return {
    backend: 'bullmq',
    async enqueue(type, payload, options = {}) {
      // BullMQ waits for a lost Redis to come back; a request does not.
      await withDeadline(
        queueOf().add(type.name, payload, {
          // Not `jobId`: a failed job keeps its id for 7 days, while a deduplication id is
          // released when its job ends, and dropped when that job no longer exists.
          ...(options.id ? { deduplication: { id: options.id } } : {}),
          ...(type.attempts ? { attempts: type.attempts } : {}),
        }),
        ENQUEUE_TIMEOUT_MS,
        () => Object.assign(new Error('Redis did not take the job in time'), { code: 'ETIMEDOUT' }),
      )
    },
    async work(handlers) {
      const byName = new Map(handlers.map((handler) => [handler.type.name, handler]))
      const installSchedules = async () => {
        for (const handler of handlers) {
          if (!handler.schedule) continue
          const { cron, payload, atStart } = handler.schedule
          await queueOf().upsertJobScheduler(
            handler.type.name,
            { pattern: cron, tz: 'UTC' },
            { name: handler.type.name, data: payload },
          )
          if (atStart) await queueOf().add(handler.type.name, payload)
        }
      }
      await installSchedules()
      // The connection is ready now: each later `ready` is a reconnection, perhaps to a Redis
      // that lost its data.
      queueConnection?.on('ready', () => {
        installSchedules().then(
          () => settings.logger.info('Redis is back: job schedules made again'),
          reportError('re-making job schedules'),
        )
      })
      worker = new (bullmq().Worker)(
        'jobs',
        async (job) => {
          const handler = byName.get(job.name)
          if (!handler) throw new Error(`no handler for job ${job.name}`)
          const maxAttempts = job.opts.attempts ?? settings.attempts
          await observed(settings, handler, job.data, {
            attempt: job.attemptsMade + 1,
            maxAttempts,
          })
        },
        {
          connection: connect(),
          prefix,
          concurrency: settings.concurrency,
          lockDuration: Math.floor(settings.lockMs / 3),
          stalledInterval: Math.floor(settings.lockMs / 3),
          // A job whose worker died goes back to the queue this many times before it fails.
          maxStalledCount: settings.attempts,
        },
      )
      worker.on('failed', (job, error) => {
        settings.logger.warn({ job: job?.name, jobId: job?.id, err: error }, 'job failed')
      })
      worker.on('error', reportError('job worker'))
      await worker.waitUntilReady()
    },
    async depth() {
      return queueOf().getJobCounts('waiting', 'delayed', 'active', 'failed')
    },
    async close(timeoutMs = 10_000) {
      if (worker) {
        const closing = worker.close()
        await withTimeout(closing, timeoutMs)
        await worker.close(true)
      }
      await queue?.close()
      await Promise.all(connections.map((connection) => connection.quit().catch(() => {})))
    },
  }
}
