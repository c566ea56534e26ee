import { afterAll, describe, expect, it } from 'vitest'
import { systemPrincipal } from '../src/core/auth/access.ts'
import { bearer, createUser, login, PASSWORD, type TestUser } from './helpers/accounts.ts'
import { createPeerApp, createTestApp, type TestApp } from './helpers/app.ts'

// An access token is only as alive as its session (API.md): every way a session ends is tried
// here, and each must refuse the session's access tokens on the very next request.
const t = await createTestApp()
afterAll(() => t.close())

const me = (headers: { authorization: string }, app: Pick<TestApp, 'app'> = t) =>
  app.app.inject({ method: 'GET', url: '/api/v1/users/me', headers })
const post = (url: string, payload: object, headers?: { authorization: string }) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers })

/** A second sign-in of the same user: another session. */
async function secondSession(user: TestUser) {
  const tokens = await login(t, user.email, user.password)
  return { headers: bearer(tokens.access_token), refreshToken: tokens.refresh_token }
}

async function expectEnded(headers: { authorization: string }, app: Pick<TestApp, 'app'> = t) {
  const response = await me(headers, app)
  expect(response.statusCode).toBe(401)
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  expect(response.json().code).toBe('session_ended')
}

describe('an access token dies with its session', () => {
  it('on logout, and only that session', async () => {
    const user = await createUser(t)
    const other = await secondSession(user)
    expect((await me(user.headers)).statusCode).toBe(200)
    expect((await post('/auth/logout', { refresh_token: user.refreshToken })).statusCode).toBe(204)
    await expectEnded(user.headers)
    expect((await me(other.headers)).statusCode).toBe(200)
  })

  it('when reuse of a rotated refresh token revokes the family', async () => {
    const user = await createUser(t)
    const rotated = await post('/auth/refresh', { refresh_token: user.refreshToken })
    expect(rotated.statusCode).toBe(200)
    const fresh = bearer(rotated.json().access_token)
    expect((await me(fresh)).statusCode).toBe(200)
    const reused = await post('/auth/refresh', { refresh_token: user.refreshToken })
    expect(reused.statusCode).toBe(401)
    await expectEnded(fresh)
    await expectEnded(user.headers)
  })

  it('on a password change, for every session but the one that changed it', async () => {
    const user = await createUser(t)
    const other = await secondSession(user)
    expect((await me(other.headers)).statusCode).toBe(200)
    const changed = await post(
      '/users/me/password',
      { current_password: PASSWORD, new_password: 'a-new-password-9' },
      user.headers,
    )
    expect(changed.statusCode).toBe(204)
    expect((await me(user.headers)).statusCode).toBe(200)
    await expectEnded(other.headers)
    expect((await post('/auth/refresh', { refresh_token: other.refreshToken })).statusCode).toBe(
      401,
    )
    expect((await post('/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(200)
  })

  it('on deactivation, for every session, and reactivation revives none', async () => {
    const user = await createUser(t)
    const other = await secondSession(user)
    expect((await me(user.headers)).statusCode).toBe(200)
    expect((await me(other.headers)).statusCode).toBe(200)
    await t.services.usersService.update(systemPrincipal, user.id, { is_active: false })
    await expectEnded(user.headers)
    await expectEnded(other.headers)
    await t.services.usersService.update(systemPrincipal, user.id, { is_active: true })
    await expectEnded(user.headers)
    expect((await post('/auth/refresh', { refresh_token: other.refreshToken })).statusCode).toBe(
      401,
    )
    const again = await login(t, user.email)
    expect((await me(bearer(again.access_token))).statusCode).toBe(200)
  })

  it('on deletion', async () => {
    const user = await createUser(t)
    expect((await me(user.headers)).statusCode).toBe(200)
    await t.services.usersService.delete(systemPrincipal, user.id)
    expect((await me(user.headers)).statusCode).toBe(401)
  })

  it('sends no-store on every answer that carries a token or the user', async () => {
    const user = await createUser(t)
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
      remoteAddress: '10.9.9.9',
    })
    const refreshed = await post('/auth/refresh', { refresh_token: signIn.json().refresh_token })
    for (const response of [signIn, refreshed, await me(user.headers)]) {
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      expect(response.headers.pragma).toBe('no-cache')
    }
  })
})

const sharedCache = Boolean(process.env.REDIS_URL)
if (!sharedCache) console.warn('skipping cross-process sessions: REDIS_URL is not set')

describe.skipIf(!sharedCache)('a session ended in one process', () => {
  it('is ended in another on its next request, even after that one saw it alive', async () => {
    const peer = await createPeerApp(t)
    try {
      const user = await createUser(t)
      const other = await secondSession(user)
      // The peer reads both sessions first: any copy it keeps must not outlive the end.
      expect((await me(user.headers, peer)).statusCode).toBe(200)
      expect((await me(other.headers, peer)).statusCode).toBe(200)
      expect((await me(other.headers, peer)).statusCode).toBe(200)
      expect((await post('/auth/logout', { refresh_token: user.refreshToken })).statusCode).toBe(
        204,
      )
      await expectEnded(user.headers, peer)
      expect((await me(other.headers, peer)).statusCode).toBe(200)
    } finally {
      await peer.close()
    }
  })
})
