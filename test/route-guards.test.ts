import { afterAll, describe, expect, it } from 'vitest'
import { createTokens } from '../src/core/auth/tokens.ts'
import { createUser, deactivateInDatabase } from './helpers/accounts.ts'
import { createTestApp } from './helpers/app.ts'

// Walks the app's own route table: a route added tomorrow is checked without editing this file.
const t = await createTestApp()
afterAll(() => t.close())

const plain = await createUser(t)
const deactivated = await createUser(t, { active: false })
// Deactivated behind the API's back (an operator's SQL): its session is alive, the user is not.
const inactive = await createUser(t)
await deactivateInDatabase(t, inactive.id)
const protectedRoutes = t.routes.filter((route) => route.access.kind !== 'public')

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const pastClock = { now: () => new Date(Date.now() - 3_600_000) }
const expiredToken = createTokens({
  secret: t.deps.config.SECRET_KEY,
  accessTtlSeconds: 60,
  clock: pastClock,
}).signAccess(plain.id, 'session').token
const now = Math.floor(Date.now() / 1000)
const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(plain.id), jti: 'x', type: 'access', iat: now, exp: now + 600 })}.`
const [head, body, signature] = plain.accessToken.split('.') as [string, string, string]
const tampered = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`
const otherSecret = createTokens({
  secret: 'x'.repeat(48),
  accessTtlSeconds: 600,
  clock: { now: () => new Date() },
}).signAccess(plain.id, 'session').token

const fill = (url: string) => url.replace(/:[a-z_]+/g, '1')
const call = (route: { method: string; url: string }, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: route.method as 'GET',
    url: fill(route.url),
    headers,
    payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
  })

/** A route is public only by a decision recorded here, not by forgetting its guard. */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /health/detailed',
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/2fa/verify',
  'POST /api/v1/auth/password-reset/request',
  'POST /api/v1/auth/password-reset/confirm',
  'GET /api/v1/categories/',
  'GET /api/v1/categories/:id',
  'GET /api/v1/products/',
  'GET /api/v1/products/:id',
  'GET /api/v2/products/',
]

describe('the route table', () => {
  it('has protected routes to check', () => {
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(15)
  })

  it('has no public route but the ones meant to be', () => {
    const publicRoutes = t.routes
      .filter((route) => route.access.kind === 'public')
      .map((route) => `${route.method} ${route.url}`)
    expect(publicRoutes.sort()).toEqual([...PUBLIC_ROUTES].sort())
  })
})

describe.each(protectedRoutes)('$method $url ($access.kind)', (route) => {
  it('answers 401 with WWW-Authenticate without a token', async () => {
    const response = await call(route)
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer')
    expect(response.headers['content-type']).toMatch(/problem\+json/)
  })

  it.each([
    ['a tampered', tampered],
    ['an expired', expiredToken],
    ['an alg:none', algNone],
    ['a foreign-key', otherSecret],
    ['a refresh', plain.refreshToken],
  ])('answers 401 with %s token', async (_kind, token) => {
    expect((await call(route, { authorization: `Bearer ${token}` })).statusCode).toBe(401)
  })

  it('answers 401 to a deactivated user: the deactivation ended its sessions', async () => {
    const response = await call(route, deactivated.headers)
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe('session_ended')
  })

  it('answers 403 to an inactive user whose session is alive', async () => {
    expect((await call(route, inactive.headers)).statusCode).toBe(403)
  })

  const { access } = route
  if (access.kind === 'permission') {
    it(`answers 403 to an active user without ${access.permission}`, async () => {
      const response = await call(route, plain.headers)
      expect(response.statusCode).toBe(403)
      expect(response.json().permission).toBe(access.permission)
    })
  }
})
