import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, PASSWORD } from './helpers/accounts.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { requireTool } from './helpers/moto.ts'
import { freePort, ROOT, until } from './helpers/process.ts'

// The recipe in deploy/nginx.conf, run by Debian's nginx in front of the app: only the ports
// differ from what a user installs.
describe.skipIf(!requireTool('nginx'))('deploy/nginx.conf with real nginx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-nginx-'))
  const conf = join(dir, 'nginx.conf')
  let t: TestApp
  let nginx: ChildProcess | undefined
  let proxyPort: number

  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: '127.0.0.1' } })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const { port: appPort } = t.app.server.address() as { port: number }
    proxyPort = await freePort()
    const site = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8')
      .replace('server 127.0.0.1:8000;', `server 127.0.0.1:${appPort};`)
      .replace('listen 80;', `listen 127.0.0.1:${proxyPort};`)
    writeFileSync(join(dir, 'food-fleet.conf'), site)
    writeFileSync(
      conf,
      [
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log;`,
        'events {}',
        'http {',
        `  access_log off;`,
        `  client_body_temp_path ${dir}/body;`,
        `  proxy_temp_path ${dir}/proxy;`,
        `  include ${dir}/food-fleet.conf;`,
        '}',
      ].join('\n'),
    )
    nginx = spawn(
      'nginx',
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'],
      {
        stdio: 'ignore',
      },
    )
    await until(async () => {
      try {
        return (await fetch(`http://127.0.0.1:${proxyPort}/health`)).ok ? true : undefined
      } catch {
        return undefined
      }
    }, 20_000)
  }, 60_000)

  afterAll(async () => {
    nginx?.kill('SIGQUIT')
    await t?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('passes nginx -t', () => {
    expect(() =>
      execFileSync('nginx', ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', conf], {
        stdio: 'pipe',
      }),
    ).not.toThrow()
  })

  it('reaches the app with the client IP from X-Forwarded-For and each security header once', async () => {
    const user = await createUser(t)
    const response = await fetch(`http://127.0.0.1:${proxyPort}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ email: user.email, password: PASSWORD }),
    })
    expect(response.status).toBe(200)
    const { refresh_token } = (await response.json()) as { refresh_token: string }
    // The session the login started records the address the app took for the client.
    const sessions = await t.deps.database.db.execute(
      sql`select ip from refresh_tokens where user_id = ${user.id} order by id desc limit 1`,
    )
    expect(refresh_token).toBeTypeOf('string')
    expect((sessions as unknown as { rows: { ip: string }[] }).rows[0]?.ip).toBe('203.0.113.7')
    for (const header of ['x-frame-options', 'x-content-type-options', 'referrer-policy']) {
      expect(response.headers.get(header), header).not.toContain(',')
    }
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  })
})
