import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../test/helpers/app.ts'
import { servicesSet, until } from '../../test/helpers/process.ts'
import { createRedisCache } from './cache.ts'
import { createBullJobs, handleJob, type JobRun, type Jobs, jobType } from './jobs.ts'
import { createInProcessJobs } from './jobs-in-process.ts'
import { connectRedis } from './redis.ts'

const redisUrl = process.env.REDIS_URL
const settings = { attempts: 3, backoffMs: 40, concurrency: 2, logger: silentLogger }

const prefixes: string[] = []
const backends: [string, (() => Jobs) | undefined][] = [
  ['in-process', () => createInProcessJobs(settings)],
  [
    'BullMQ',
    redisUrl
      ? () => {
          const prefix = `ff-test:${randomUUID()}:`
          prefixes.push(prefix)
          return createBullJobs(redisUrl, prefix, { ...settings, lockMs: 5000 })
        }
      : undefined,
  ],
]

afterAll(async () => {
  if (!redisUrl) return
  const redis = connectRedis(redisUrl, 'test')
  for (const prefix of prefixes)
    await createRedisCache(redis, silentLogger, prefix).deleteByPrefix('')
  await redis.quit()
})

const echo = jobType<{ value: number }>('test.echo')

function deferred() {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

for (const [name, create] of backends) {
  describe.runIf(create ?? servicesSet(`${name} jobs`, 'REDIS_URL'))(`${name} jobs`, () => {
    let jobs: Jobs
    afterEach(() => jobs?.close(2000))

    it('retries a failing job with exponential backoff, then succeeds', async () => {
      jobs = (create as () => Jobs)()
      const runs: { at: number; run: JobRun }[] = []
      const done = deferred()
      await jobs.work([
        handleJob(echo, async (_payload, run) => {
          runs.push({ at: performance.now(), run })
          if (run.attempt < 3) throw new Error(`transport down (try ${run.attempt})`)
          done.resolve()
        }),
      ])
      await jobs.enqueue(echo, { value: 1 })
      await done.promise
      expect(runs.map((entry) => entry.run)).toEqual([
        { attempt: 1, maxAttempts: 3 },
        { attempt: 2, maxAttempts: 3 },
        { attempt: 3, maxAttempts: 3 },
      ])
      const [first, second, third] = runs.map((entry) => entry.at) as [number, number, number]
      // 40 ms, then 80 ms: each wait at least the doubled delay.
      expect(second - first).toBeGreaterThanOrEqual(35)
      expect(third - second).toBeGreaterThanOrEqual(75)
    })

    it('gives up after the last attempt', async () => {
      jobs = (create as () => Jobs)()
      let tries = 0
      const twice = jobType<{ value: number }>('test.twice', { attempts: 2 })
      await jobs.work([
        handleJob(twice, async () => {
          tries += 1
          throw new Error('always down')
        }),
      ])
      await jobs.enqueue(twice, { value: 1 })
      await new Promise((resolve) => setTimeout(resolve, 600))
      expect(tries).toBe(2)
    })

    it('queues a job with an id only once while it waits', async () => {
      jobs = (create as () => Jobs)()
      const seen: number[] = []
      await jobs.enqueue(echo, { value: 1 }, { id: 'same' })
      await jobs.enqueue(echo, { value: 2 }, { id: 'same' })
      await jobs.enqueue(echo, { value: 3 }, { id: 'other' })
      const done = deferred()
      await jobs.work([
        handleJob(echo, async ({ value }) => {
          seen.push(value)
          if (seen.length === 2) done.resolve()
        }),
      ])
      await done.promise
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(seen.sort()).toEqual([1, 3])
    })

    it('queues an id again once its job has ended, failed or done', async () => {
      jobs = (create as () => Jobs)()
      const once = jobType<{ value: number }>('test.once', { attempts: 1 })
      const seen: number[] = []
      let ended = deferred()
      await jobs.work([
        handleJob(once, async ({ value }) => {
          seen.push(value)
          ended.resolve()
          if (value === 1) throw new Error('provider refused')
        }),
      ])
      await jobs.enqueue(once, { value: 1 }, { id: 'row-1' })
      await ended.promise
      // Its failure is recorded after the run returns.
      await until(async () => ((await jobs.depth()).active === 0 ? true : undefined))
      ended = deferred()
      await jobs.enqueue(once, { value: 2 }, { id: 'row-1' })
      await ended.promise
      await until(async () => ((await jobs.depth()).active === 0 ? true : undefined))
      ended = deferred()
      await jobs.enqueue(once, { value: 3 }, { id: 'row-1' })
      await ended.promise
      expect(seen).toEqual([1, 2, 3])
    })

    it('runs a job on its cron schedule', async () => {
      jobs = (create as () => Jobs)()
      const done = deferred()
      let runs = 0
      await jobs.work([
        handleJob(
          echo,
          async ({ value }) => {
            expect(value).toBe(7)
            runs += 1
            if (runs === 2) done.resolve()
          },
          { schedule: { cron: '* * * * * *', payload: { value: 7 } } },
        ),
      ])
      await done.promise
    }, 10_000)

    it('lets a running job finish on close', async () => {
      jobs = (create as () => Jobs)()
      const started = deferred()
      let finished = false
      await jobs.work([
        handleJob(echo, async () => {
          started.resolve()
          await new Promise((resolve) => setTimeout(resolve, 300))
          finished = true
        }),
      ])
      await jobs.enqueue(echo, { value: 1 })
      await started.promise
      await jobs.close(5000)
      expect(finished).toBe(true)
    })
  })
}
