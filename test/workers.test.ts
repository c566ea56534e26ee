import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createRedisCache } from '../src/core/cache.ts'
import { connectRedis } from '../src/core/redis.ts'
import { silentLogger } from './helpers/app.ts'
import { adminQuery, withDatabase } from './helpers/postgres.ts'
import {
  cleanEnv,
  freePort,
  type Started,
  servicesSet,
  startProcess,
  until,
  waitForHealthy,
} from './helpers/process.ts'
import { type SmtpSink, startSmtpSink } from './helpers/smtp.ts'

const serverUrl = process.env.DATABASE_URL
const redisUrl = process.env.REDIS_URL
const started: Started[] = []

/** The separate worker process (`npm run worker`) beside the web process, as deployed. */
describe.runIf(servicesSet('the web and worker processes', 'DATABASE_URL', 'REDIS_URL'))(
  'web and worker processes on PostgreSQL and Redis',
  () => {
    let sink: SmtpSink
    let databaseUrl: string
    let database: string
    let env: NodeJS.ProcessEnv

    const keyPrefix = `ff-workers:${randomUUID()}:`

    beforeAll(async () => {
      sink = await startSmtpSink()
      database = `food_fleet_workers_${randomUUID().replaceAll('-', '').slice(0, 10)}`
      await adminQuery(
        serverUrl as string,
        `create database ${database} template ${inject('postgresTemplate')}`,
      )
      databaseUrl = withDatabase(serverUrl as string, database)
      env = cleanEnv({
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl as string,
        REDIS_KEY_PREFIX: keyPrefix,
        EMAIL_BACKEND: 'smtp',
        SMTP_URL: sink.url,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_ITERATIONS: '1',
        SIGNUP_RATE_LIMIT: '1000/minute',
        JOB_BACKOFF_MS: '100',
        JOB_LOCK_MS: '2000',
      })
    })

    afterAll(async () => {
      for (const process of started) process.child.kill('SIGKILL')
      await sink.close()
      const redis = connectRedis(redisUrl as string, 'test')
      await createRedisCache(redis, silentLogger, keyPrefix).deleteByPrefix('')
      await redis.quit()
      await adminQuery(serverUrl as string, `drop database if exists ${database} with (force)`)
    })

    function start(entry: 'start' | 'worker', extra: Record<string, string> = {}) {
      const process = startProcess([`bin/${entry}.mjs`], { ...env, ...extra })
      started.push(process)
      return process
    }

    async function web(runWorkers: boolean) {
      const port = await freePort()
      const process = start('start', { PORT: String(port), RUN_WORKERS: String(runWorkers) })
      await waitForHealthy(port, 60_000)
      return { process, port }
    }

    async function worker() {
      const process = start('worker', { LOG_LEVEL: 'info' })
      await until(() => (process.output().includes('worker running') ? true : undefined))
      return process
    }

    async function register(port: number, email: string) {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email,
          username: email.split('@')[0],
          password: 'correct-horse-42',
        }),
      })
      expect(response.status).toBe(201)
    }

    async function outboxRow(email: string) {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        const { rows } = await client.query(
          'select status, attempts from notifications where recipient = $1',
          [email],
        )
        return rows as { status: string; attempts: number }[]
      } finally {
        await client.end()
      }
    }

    const deliveredTo = (email: string) =>
      sink.messages.filter((message) => message.includes(`To: ${email}`)).length

    it('delivers each notification exactly once with the web process and a worker side by side', async () => {
      const { process: app, port } = await web(true)
      const side = await worker()
      const emails = Array.from({ length: 40 }, (_, i) => `pair${i}-${Date.now()}@example.com`)
      await Promise.all(emails.map((email) => register(port, email)))
      await until(() => (emails.every((email) => deliveredTo(email) > 0) ? true : undefined))
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expect(emails.map(deliveredTo)).toEqual(emails.map(() => 1))
      for (const email of emails)
        expect(await outboxRow(email)).toEqual([{ status: 'sent', attempts: 1 }])

      app.child.kill('SIGTERM')
      side.child.kill('SIGTERM')
      expect(await app.exited).toBe(0)
      expect(await side.exited).toBe(0)
    }, 120_000)

    it('loses nothing when workers die mid-send twice: the job runs again within JOB_LOCK_MS each time, and the row shows the resends', async () => {
      const { process: app, port } = await web(false)
      const first = await worker()
      sink.hold()
      const email = `killed-${Date.now()}@example.com`
      await register(port, email)
      await until(() => (sink.held() > 0 ? true : undefined))

      // The server has the whole message when the worker dies, but the worker never hears back.
      const second = await worker()
      let killed = performance.now()
      first.child.kill('SIGKILL')
      await until(() => (sink.held() > 1 ? true : undefined))
      const firstRerunMs = performance.now() - killed
      expect(await outboxRow(email)).toEqual([{ status: 'queued', attempts: 2 }])

      const third = await worker()
      killed = performance.now()
      second.child.kill('SIGKILL')
      await until(() => (sink.held() > 2 ? true : undefined))
      const secondRerunMs = performance.now() - killed
      // JOB_LOCK_MS is 2000 here; the rest is the mail conversation and a busy machine.
      expect(firstRerunMs).toBeLessThan(2000 + 1000)
      expect(secondRerunMs).toBeLessThan(2000 + 1000)

      sink.release()
      const row = await until(async () => {
        const rows = await outboxRow(email)
        return rows[0]?.status === 'queued' ? undefined : rows
      })
      // At least once: the third try is what makes the two possible duplicates visible.
      expect(row).toEqual([{ status: 'sent', attempts: 3 }])
      expect(deliveredTo(email)).toBe(3)

      third.child.kill('SIGTERM')
      app.child.kill('SIGTERM')
      expect(await third.exited).toBe(0)
      expect(await app.exited).toBe(0)
    }, 120_000)

    it('loses nothing when workers are killed three times during 100 registrations, and sends few twice', async () => {
      const { process: app, port } = await web(false)
      const workers = [await worker(), await worker()]
      const emails = Array.from({ length: 100 }, (_, i) => `churn${i}-${Date.now()}@example.com`)
      const registering = (async () => {
        for (let batch = 0; batch < emails.length; batch += 10) {
          await Promise.all(emails.slice(batch, batch + 10).map((email) => register(port, email)))
        }
      })()
      for (let kill = 0; kill < 3; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 300))
        ;(workers.shift() as Started).child.kill('SIGKILL')
        workers.push(await worker())
      }
      await registering
      await until(
        () => (emails.every((email) => deliveredTo(email) > 0) ? true : undefined),
        60_000,
      )
      await new Promise((resolve) => setTimeout(resolve, 3000))
      const duplicates = emails.reduce((sum, email) => sum + deliveredTo(email) - 1, 0)
      // A killed worker can only resend what it had in hand: JOB_CONCURRENCY (5) messages.
      expect(duplicates).toBeLessThanOrEqual(3 * 5)
      for (const email of emails) expect((await outboxRow(email))[0]?.status).toBe('sent')

      for (const running of workers) running.child.kill('SIGTERM')
      app.child.kill('SIGTERM')
      for (const running of workers) expect(await running.exited).toBe(0)
      expect(await app.exited).toBe(0)
    }, 180_000)
  },
)
