import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createUser, login, PASSWORD } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { createPasswords } from '../../core/auth/passwords.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({
    env: { LOGIN_RATE_LIMIT: '1000/minute', LOGIN_IP_RATE_LIMIT: '1000/minute' },
  })
})
afterAll(() => t.close())

const post = (url: string, payload: object, headers = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers })

let counter = 0
const newAccount = () => {
  counter++
  return { email: `Person${counter}@Example.com`, username: `person${counter}`, password: PASSWORD }
}

describe('POST /api/v1/auth/register', () => {
  it('creates an active user without a role and never returns the hash', async () => {
    const account = newAccount()
    const response = await post('/auth/register', {
      ...account,
      first_name: 'Ada',
      phone_number: '+14155550123',
    })
    expect(response.statusCode).toBe(201)
    const user = response.json()
    expect(user).toMatchObject({
      email: account.email.toLowerCase(),
      username: account.username,
      first_name: 'Ada',
      phone_number: '+14155550123',
      is_active: true,
      is_superuser: false,
      role_id: null,
      role: null,
      two_factor_enabled: false,
    })
    expect(response.body).not.toMatch(/argon2|password/)
  })

  it('returns 409 when the email is taken, whatever its case', async () => {
    const account = newAccount()
    expect((await post('/auth/register', account)).statusCode).toBe(201)
    const again = await post('/auth/register', {
      ...account,
      email: account.email.toUpperCase(),
      username: `${account.username}x`,
    })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('email_taken')
  })

  it('returns 409 when the username is taken', async () => {
    const account = newAccount()
    await post('/auth/register', account)
    const again = await post('/auth/register', { ...account, email: `other-${account.email}` })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('username_taken')
  })

  it.each([
    ['too short', 'abc12'],
    ['all letters', 'onlyletters'],
    ['all digits', '1234567890'],
    ['too long', `a1${'x'.repeat(127)}`],
  ])('returns 422 for a password that is %s', async (_why, password) => {
    const response = await post('/auth/register', { ...newAccount(), password })
    expect(response.statusCode).toBe(422)
    expect(response.json().code).toBe('validation_failed')
  })

  it('returns 422 for a malformed email or phone number', async () => {
    expect(
      (await post('/auth/register', { ...newAccount(), email: 'not-an-email' })).statusCode,
    ).toBe(422)
    expect(
      (await post('/auth/register', { ...newAccount(), phone_number: '0123' })).statusCode,
    ).toBe(422)
  })
})

describe('POST /api/v1/auth/login', () => {
  it('returns bearer tokens for the right password', async () => {
    const user = await createUser(t)
    const tokens = await login(t, user.email.toUpperCase())
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900 })
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: bearer(tokens.access_token),
    })
    expect(me.json().id).toBe(user.id)
  })

  it('answers an unknown email and a wrong password alike', async () => {
    const user = await createUser(t)
    const wrong = await post('/auth/login', { email: user.email, password: 'wrong-password-1' })
    const unknown = await post('/auth/login', {
      email: 'nobody@example.com',
      password: 'wrong-password-1',
    })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.json()).toEqual(unknown.json())
    expect(wrong.json().code).toBe('invalid_credentials')
    expect(wrong.headers['www-authenticate']).toBe('Bearer')
  })

  it('takes similar time for an unknown email and a wrong password', async () => {
    // A realistic hash cost, so that hashing (and not test-machine noise) dominates each login.
    const timed = await createTestApp({
      env: {
        ARGON2_MEMORY_KIB: '8192',
        ARGON2_ITERATIONS: '2',
        LOGIN_RATE_LIMIT: '1000/minute',
        LOGIN_IP_RATE_LIMIT: '1000/minute',
      },
    })
    try {
      const user = await createUser(timed)
      const time = async (email: string) => {
        const started = performance.now()
        const response = await timed.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email, password: 'wrong-password-1' },
        })
        expect(response.statusCode).toBe(401)
        return performance.now() - started
      }
      const wrong: number[] = []
      const unknown: number[] = []
      for (let i = 0; i < 21; i++) {
        wrong.push(await time(user.email))
        unknown.push(await time(`ghost-${i}@example.com`))
      }
      const median = (values: number[]) =>
        values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
      const ratio = median(unknown) / median(wrong)
      expect(ratio).toBeGreaterThan(0.6)
      expect(ratio).toBeLessThan(1.6)
    } finally {
      await timed.close()
    }
  })

  it('returns 403 for an inactive user with the right password', async () => {
    const user = await createUser(t, { active: false })
    const response = await post('/auth/login', { email: user.email, password: PASSWORD })
    expect(response.statusCode).toBe(403)
  })

  it('upgrades a hash made with older parameters', async () => {
    const user = await createUser(t)
    const older = createPasswords({ memoryCost: 2048, timeCost: 1, parallelism: 1 })
    const { usersService } = t.services
    await t.deps.database.db.execute(
      (await import('drizzle-orm'))
        .sql`update users set password_hash = ${await older.hash(PASSWORD)} where id = ${user.id}`,
    )
    await login(t, user.email)
    const row = await usersService.findByEmail(user.email)
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
    await login(t, user.email)
  })
})

describe('POST /api/v1/auth/refresh', () => {
  it('rotates: the new token works, the old one no longer does', async () => {
    const user = await createUser(t)
    const first = await post('/auth/refresh', { refresh_token: user.refreshToken })
    expect(first.statusCode).toBe(200)
    const rotated = first.json()
    expect(rotated.refresh_token).not.toBe(user.refreshToken)
    expect((await post('/auth/refresh', { refresh_token: rotated.refresh_token })).statusCode).toBe(
      200,
    )
  })

  it('revokes the whole family when a rotated token is presented again', async () => {
    const user = await createUser(t)
    const rotated = (await post('/auth/refresh', { refresh_token: user.refreshToken })).json()
    const reuse = await post('/auth/refresh', { refresh_token: user.refreshToken })
    expect(reuse.statusCode).toBe(401)
    expect(reuse.json().code).toBe('token_reused')
    const afterReuse = await post('/auth/refresh', { refresh_token: rotated.refresh_token })
    expect(afterReuse.statusCode).toBe(401)
  })

  it('lets only one of two concurrent refreshes with the same token succeed', async () => {
    const user = await createUser(t)
    const results = await Promise.all([
      post('/auth/refresh', { refresh_token: user.refreshToken }),
      post('/auth/refresh', { refresh_token: user.refreshToken }),
    ])
    const statuses = results.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([200, 401])
  })

  it('returns 401 for an unknown token', async () => {
    const response = await post('/auth/refresh', { refresh_token: 'made-up-token' })
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe('invalid_token')
  })

  it('returns 401 for an expired token', async () => {
    const user = await createUser(t)
    await t.deps.database.db.execute(
      (await import('drizzle-orm'))
        .sql`update refresh_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`,
    )
    expect((await post('/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(401)
  })
})

describe('POST /api/v1/auth/logout', () => {
  it('revokes the session and answers 204', async () => {
    const user = await createUser(t)
    const response = await post('/auth/logout', { refresh_token: user.refreshToken })
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expect((await post('/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(401)
  })

  it('answers 401 invalid_token, on logout and refresh, for any string that is not a live refresh token', async () => {
    const user = await createUser(t)
    const ended = await createUser(t)
    expect((await post('/auth/logout', { refresh_token: ended.refreshToken })).statusCode).toBe(204)
    for (const refresh_token of [
      'unknown',
      '',
      user.accessToken,
      'x'.repeat(5000),
      ended.refreshToken,
    ]) {
      for (const url of ['/auth/logout', '/auth/refresh']) {
        const response = await post(url, { refresh_token })
        expect(response.statusCode, `${url} ${refresh_token.slice(0, 20)}`).toBe(401)
        expect(response.json().code).toBe('invalid_token')
      }
    }
    expect((await post('/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(200)
  })
})

describe('POST /api/v1/users/me/password', () => {
  it('changes the password and ends the other sessions, keeping this one', async () => {
    const user = await createUser(t)
    const other = await login(t, user.email)
    const response = await post(
      '/users/me/password',
      { current_password: PASSWORD, new_password: 'brand-new-pass-9' },
      user.headers,
    )
    expect(response.statusCode).toBe(204)
    expect((await post('/auth/refresh', { refresh_token: other.refresh_token })).statusCode).toBe(
      401,
    )
    expect((await post('/auth/refresh', { refresh_token: user.refreshToken })).statusCode).toBe(200)
    await login(t, user.email, 'brand-new-pass-9')
  })

  it('returns 400 when the current password is wrong and changes nothing', async () => {
    const user = await createUser(t)
    const response = await post(
      '/users/me/password',
      { current_password: 'not-it-at-all-1', new_password: 'brand-new-pass-9' },
      user.headers,
    )
    expect(response.statusCode).toBe(400)
    await login(t, user.email)
  })
})

describe('rate limits', () => {
  it('limits login attempts per IP and email with 429 and Retry-After', async () => {
    const limited = await createTestApp({ env: { LOGIN_RATE_LIMIT: '3/minute' } })
    try {
      const attempt = () =>
        limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'victim@example.com', password: 'guess-1234' },
          remoteAddress: '203.0.113.9',
        })
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401)
      const blocked = await attempt()
      expect(blocked.statusCode).toBe(429)
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
      expect(blocked.headers['content-type']).toMatch(/problem\+json/)
      const otherIp = await limited.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'victim@example.com', password: 'guess-1234' },
        remoteAddress: '203.0.113.10',
      })
      expect(otherIp.statusCode).toBe(401)
    } finally {
      await limited.close()
    }
  })

  it('limits registrations per IP', async () => {
    const limited = await createTestApp({ env: { SIGNUP_RATE_LIMIT: '2/minute' } })
    try {
      const statuses = []
      for (let i = 0; i < 3; i++) {
        const response = await limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/register',
          payload: { email: `r${i}@example.com`, username: `r-user-${i}`, password: PASSWORD },
          remoteAddress: '198.51.100.7',
        })
        statuses.push(response.statusCode)
      }
      expect(statuses).toEqual([201, 201, 429])
    } finally {
      await limited.close()
    }
  })
})
