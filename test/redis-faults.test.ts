import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createUser, PASSWORD } from './helpers/accounts.ts'
import { createTestApp, recordingLogger, type TestApp } from './helpers/app.ts'
import { requireTool } from './helpers/moto.ts'
import { cleanEnv, freePort, startProcess, until } from './helpers/process.ts'
import { type RedisServer, redisServerOn } from './helpers/redis-server.ts'

// A Redis of the test's own, stopped and started again under a running app: nothing waits on
// it, nothing fails because of it, and everything comes back by itself.
describe.skipIf(!requireTool('redis-server'))('a lost Redis', () => {
  let redis: RedisServer
  let t: TestApp
  const { lines, logger } = recordingLogger('info')
  const consoleError = vi.spyOn(console, 'error')

  beforeAll(async () => {
    redis = redisServerOn(await freePort())
    await redis.start()
    t = await createTestApp({
      logger,
      env: { REDIS_URL: redis.url, RUN_WORKERS: 'false' },
    })
  }, 60_000)

  afterAll(async () => {
    // While Redis runs, so that closing the app cleans its keys and drops its database.
    await t?.close()
    await redis?.stop()
    consoleError.mockRestore()
  })

  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now()
    const result = await work()
    return { result, ms: performance.now() - started }
  }

  it('degrades nothing a client sees, and recovers by itself', async () => {
    const admin = await createUser(t, { superuser: true })
    const category = await t.app.inject({
      method: 'POST',
      url: '/api/v1/categories/',
      headers: admin.headers,
      payload: { name: 'Fault tolerant' },
    })
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/products/' })).statusCode).toBe(200)

    await redis.stop()

    const list = await timed(() => t.app.inject({ method: 'GET', url: '/api/v1/products/' }))
    expect(list.result.statusCode).toBe(200)
    expect(list.ms).toBeLessThan(1500)
    const created = await timed(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/products/',
        headers: admin.headers,
        payload: { name: 'During outage', price: 3, category_id: category.json().id },
      }),
    )
    expect(created.result.statusCode).toBe(201)
    expect(created.ms).toBeLessThan(1500)
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/products/' })
    expect(listed.json().map((p: { name: string }) => p.name)).toContain('During outage')
    const login = await timed(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: admin.email, password: PASSWORD },
        remoteAddress: '10.1.2.3',
      }),
    )
    expect(login.result.statusCode).toBe(200)
    expect(login.ms).toBeLessThan(1500)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: admin.headers }))
        .statusCode,
    ).toBe(200)

    const registered = await timed(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'outage@example.com', username: 'outage', password: PASSWORD },
        remoteAddress: '10.1.2.5',
      }),
    )
    expect(registered.result.statusCode).toBe(201)
    expect(registered.ms).toBeLessThan(2500)
    // Its welcome email is in the outbox, queued once Redis is back (the requeue job).
    const outbox = await t.app.inject({
      method: 'GET',
      url: '/api/v1/notifications/?size=100',
      headers: admin.headers,
    })
    expect(outbox.json().items).toContainEqual(
      expect.objectContaining({ recipient: 'outage@example.com', status: 'queued' }),
    )
    const reset = await timed(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: admin.email },
        remoteAddress: '10.1.2.6',
      }),
    )
    expect(reset.ms).toBeLessThan(2500)
    expect(reset.result.statusCode).toBe(503)
    expect(reset.result.headers['retry-after']).toBe('5')

    // Limits still hold, counted in this process.
    const statuses: number[] = []
    for (let attempt = 0; attempt < 7; attempt++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: admin.email, password: 'wrong-password-1' },
        remoteAddress: '10.9.8.7',
      })
      statuses.push(response.statusCode)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])

    const health = await t.app.inject({ method: 'GET', url: '/health/detailed' })
    expect(health.statusCode).toBe(503)
    expect(health.json()).toMatchObject({ database: 'healthy', redis: 'unhealthy' })

    await redis.start()
    await until(async () => {
      const response = await t.app.inject({ method: 'GET', url: '/health/detailed' })
      return response.statusCode === 200 ? true : undefined
    }, 20_000)
    await until(async () => {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: admin.email, password: PASSWORD },
        remoteAddress: '10.1.2.4',
      })
      return lines.some((line) => line.msg.startsWith('rate limits are shared')) ? true : undefined
    }, 10_000)

    const said = (start: string) => lines.filter((line) => line.msg.startsWith(start)).length
    expect(said('Redis unreachable')).toBeGreaterThan(0)
    // Once per connection and outage, however many requests failed meanwhile.
    expect(said('Redis unreachable')).toBeLessThanOrEqual(2)
    expect(said('rate limits are counted in this process')).toBe(1)
    expect(said('rate limits are shared through Redis again')).toBe(1)
    expect(lines.filter((line) => line.msg === 'cache unavailable')).toEqual([])
    expect(said('Redis reachable again')).toBeGreaterThan(0)
    // No "[ioredis] Unhandled error event", no error printed past the logger.
    expect(consoleError).not.toHaveBeenCalled()
  }, 60_000)
})

describe('npm start with an unreachable REDIS_URL', () => {
  it('exits 1 within seconds with one line naming REDIS_URL', async () => {
    const port = await freePort()
    const started = performance.now()
    const server = startProcess(
      ['bin/start.mjs'],
      cleanEnv({ REDIS_URL: `redis://127.0.0.1:${port}/0`, PORT: String(await freePort()) }),
    )
    const code = await server.exited
    expect(code).toBe(1)
    expect(performance.now() - started).toBeLessThan(15_000)
    const output = server.output().trim()
    expect(output.split('\n')).toHaveLength(1)
    expect(output).toBe('Cannot reach Redis (ECONNREFUSED): check REDIS_URL')
  }, 30_000)
})
