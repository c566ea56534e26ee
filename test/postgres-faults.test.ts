import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApplication } from '../src/app.ts'
import { openPostgres } from '../src/core/db/database.ts'
import { seedModules } from '../src/core/module.ts'
import { assembleDeps } from '../src/infrastructure.ts'
import { createUser } from './helpers/accounts.ts'
import { apiCaller, silentLogger, type TestApp, testConfig } from './helpers/app.ts'
import { requireTool } from './helpers/moto.ts'
import { freePort, until } from './helpers/process.ts'

/** Runs a PostgreSQL tool as the `postgres` OS user when the tests run as root (CI does). */
function asPostgres(tool: string, args: string[]) {
  const root = process.getuid?.() === 0
  execFileSync(root ? 'runuser' : tool, root ? ['-u', 'postgres', '--', tool, ...args] : args, {
    stdio: 'ignore',
  })
}

// A PostgreSQL of the test's own, stopped under a running app and started again: requests
// meanwhile fail fast with 503 and Retry-After, and the app recovers without a restart.
describe.skipIf(!requireTool('initdb') || !requireTool('pg_ctl'))('a lost PostgreSQL', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'food-fleet-pg-')), 'data')
  let port: number
  let t: TestApp
  const pgCtl = (...args: string[]) =>
    asPostgres('pg_ctl', ['-D', dataDir, '-w', '-t', '30', ...args])

  beforeAll(async () => {
    port = await freePort()
    chmodSync(join(dataDir, '..'), 0o777)
    asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'])
    const options = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`
    pgCtl('-o', options, '-l', join(dataDir, 'log'), 'start')
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
    const config = testConfig({ DATABASE_URL: url, REDIS_URL: undefined })
    const database = await openPostgres(url, 5, { logger: silentLogger })
    await database.migrate()
    const deps = assembleDeps(config, silentLogger, database, undefined)
    const application = await createApplication(deps)
    await seedModules(
      (await import('../src/modules/index.ts')).modules,
      application.services,
      application.context,
    )
    await application.app.ready()
    t = {
      ...application,
      deps,
      call: apiCaller(application.app),
      async close() {
        await application.app.close()
        await deps.jobs.close(2000)
        await database.close()
      },
    }
  }, 90_000)

  afterAll(async () => {
    await t?.close().catch(() => {})
    try {
      pgCtl('-m', 'immediate', 'stop')
    } catch {
      // already stopped
    }
    rmSync(join(dataDir, '..'), { recursive: true, force: true })
  })

  it('answers 503 with Retry-After while it is down, and recovers by itself', async () => {
    const user = await createUser(t, { superuser: true })
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/users/', headers: user.headers }))
        .statusCode,
    ).toBe(200)

    pgCtl('-m', 'fast', 'stop')

    for (const request of [
      { method: 'GET' as const, url: '/api/v1/users/', headers: user.headers },
      {
        method: 'POST' as const,
        url: '/api/v1/categories/',
        headers: user.headers,
        payload: { name: 'While down' },
      },
      {
        method: 'POST' as const,
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: user.password },
      },
    ]) {
      const started = performance.now()
      const response = await t.app.inject(request)
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(503)
      expect(response.headers['retry-after']).toBe('5')
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json().code).toBe('service_unavailable')
      expect(performance.now() - started).toBeLessThan(3000)
    }
    const health = await t.app.inject({ method: 'GET', url: '/health/detailed' })
    expect(health.statusCode).toBe(503)
    expect(health.json().database).toBe('unhealthy')

    pgCtl('-o', `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`, 'start')
    await until(async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/v1/users/',
        headers: user.headers,
      })
      return response.statusCode === 200 ? true : undefined
    }, 20_000)
  }, 90_000)
})
