import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectRedis } from '../src/core/redis.ts'
import { createTestApp, recordingLogger, type TestApp } from './helpers/app.ts'
import { requireTool } from './helpers/moto.ts'
import { freePort, until } from './helpers/process.ts'
import { type RedisServer, redisServerOn } from './helpers/redis-server.ts'
import { type SmtpSink, startSmtpSink } from './helpers/smtp.ts'

// A Redis of the test's own that restarts empty under an app working jobs: the schedules come
// back and the messages whose jobs were lost are delivered, once, without restarting anything.
describe.skipIf(!requireTool('redis-server'))('jobs when Redis restarts empty', () => {
  let redis: RedisServer
  let t: TestApp
  let sink: SmtpSink
  const { lines, logger } = recordingLogger('info')

  beforeAll(async () => {
    redis = redisServerOn(await freePort())
    sink = await startSmtpSink()
    await redis.start()
    t = await createTestApp({
      logger,
      env: {
        REDIS_URL: redis.url,
        EMAIL_BACKEND: 'smtp',
        SMTP_URL: sink.url,
        JOB_BACKOFF_MS: '100',
        SIGNUP_RATE_LIMIT: '1000/minute',
      },
    })
  }, 60_000)

  afterAll(async () => {
    await t?.close()
    await redis?.stop()
    await sink?.close()
  })

  async function register(email: string) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, username: email.split('@')[0], password: 'correct-horse-42' },
    })
    expect(response.statusCode, response.body).toBe(201)
  }

  const deliveredTo = (email: string) =>
    sink.messages.filter((message) => message.includes(`To: ${email}`)).length

  // Each schedule's key and its next run's key; the run's time is left out, since a schedule
  // that fires every minute may have moved on between two reads.
  async function schedulers() {
    const client = connectRedis(redis.url, 'test')
    try {
      const keys = await client.keys(`${t.deps.config.REDIS_KEY_PREFIX}bull:jobs:repeat:*`)
      return keys.map((key) => key.replace(/:\d+$/, ':<next run>')).sort()
    } finally {
      await client.quit()
    }
  }

  it('makes the schedules again and delivers the lost backlog once, by itself', async () => {
    await register('before@example.com')
    await until(() => (deliveredTo('before@example.com') > 0 ? true : undefined))
    const scheduled = await schedulers()
    expect(scheduled.length).toBeGreaterThanOrEqual(2)

    await redis.stop()
    const during = ['lost1@example.com', 'lost2@example.com', 'lost3@example.com']
    for (const email of during) await register(email)
    await redis.start()
    expect(await schedulers()).toEqual([])

    const restarted = performance.now()
    await until(() => (during.every((email) => deliveredTo(email) > 0) ? true : undefined), 20_000)
    const deliveredAfterMs = performance.now() - restarted
    expect(deliveredAfterMs).toBeLessThan(10_000)
    await until(async () => ((await schedulers()).length === scheduled.length ? true : undefined))
    expect(await schedulers()).toEqual(scheduled)
    expect(lines.some((line) => line.msg === 'Redis is back: job schedules made again')).toBe(true)

    // Nothing twice, even after the minute's requeue has had its turn on what was already sent.
    await t.services.notificationsService.requeueDue()
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(during.map(deliveredTo)).toEqual([1, 1, 1])
    expect(deliveredTo('before@example.com')).toBe(1)
  }, 60_000)
})
