import { parseCron } from './cron.ts'
import {
  backoffDelay,
  type JobHandler,
  type JobSettings,
  type Jobs,
  observed,
  withTimeout,
} from './jobs.ts'

interface Pending {
  name: string
  attempts?: number
  payload: unknown
  id?: string
  attempt: number
}

/**
 * The same semantics in this process, for when there is no Redis (the embedded default): retries
 * with exponential backoff, `id` de-duplication, cron schedules. Jobs live in memory: a job
 * queued before a restart is lost, which is why work that must happen (notifications) is
 * recorded in the database first and re-queued from there.
 */
export function createInProcessJobs(settings: JobSettings): Jobs {
  const handlers = new Map<string, JobHandler>()
  const pending: Pending[] = []
  const queuedIds = new Set<string>()
  const running = new Set<Promise<void>>()
  const timers = new Set<NodeJS.Timeout>()
  let working = false
  let closed = false
  let retrying = 0

  const later = (delayMs: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      action()
    }, delayMs)
    timer.unref()
    timers.add(timer)
  }

  function pump(): void {
    while (working && running.size < settings.concurrency && pending.length > 0) {
      const next = pending.shift() as Pending
      const run = execute(next).finally(() => {
        running.delete(run)
        pump()
      })
      running.add(run)
    }
  }

  async function execute(job: Pending): Promise<void> {
    const handler = handlers.get(job.name)
    const maxAttempts = job.attempts ?? settings.attempts
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`)
      await observed(settings, handler, job.payload, { attempt: job.attempt, maxAttempts })
      if (job.id) queuedIds.delete(job.id)
    } catch (error) {
      const final = job.attempt >= maxAttempts || closed
      settings.logger.warn(
        { job: job.name, jobId: job.id, attempt: job.attempt, err: error },
        'job failed',
      )
      if (final) {
        if (job.id) queuedIds.delete(job.id)
        return
      }
      retrying += 1
      later(backoffDelay(settings.backoffMs, job.attempt), () => {
        retrying -= 1
        pending.push({ ...job, attempt: job.attempt + 1 })
        pump()
      })
    }
  }

  function schedule(handler: JobHandler): void {
    if (!handler.schedule) return
    const { cron, payload } = handler.schedule
    // Parsed once; each run sets the timer for the next.
    const runs = parseCron(cron)
    const setNext = () => {
      if (closed) return
      later(Math.max(0, runs.next(Date.now()) - Date.now()), () => {
        if (closed) return
        pending.push({
          name: handler.type.name,
          attempts: handler.type.attempts,
          payload,
          attempt: 1,
        })
        pump()
        setNext()
      })
    }
    setNext()
  }

  return {
    backend: 'in-process',
    async enqueue(type, payload, options = {}) {
      if (options.id) {
        if (queuedIds.has(options.id)) return
        queuedIds.add(options.id)
      }
      pending.push({
        name: type.name,
        attempts: type.attempts,
        payload,
        id: options.id,
        attempt: 1,
      })
      pump()
    },
    async work(list) {
      for (const handler of list) {
        handlers.set(handler.type.name, handler)
        schedule(handler)
        if (handler.schedule?.atStart) {
          pending.push({ name: handler.type.name, payload: handler.schedule.payload, attempt: 1 })
        }
      }
      working = true
      pump()
    },
    async depth() {
      return { waiting: pending.length, delayed: retrying, active: running.size, failed: 0 }
    },
    async close(timeoutMs = 10_000) {
      closed = true
      working = false
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await withTimeout(Promise.allSettled([...running]), timeoutMs)
    },
  }
}
