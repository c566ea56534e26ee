import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  AuthSession,
  memoryStorage,
  type SignedOutReason,
  type Tokens,
  unwrap,
} from '../clients/typescript/src/index.ts'
import { createTokens } from '../src/core/auth/tokens.ts'
import { createUser, PASSWORD, type TestUser } from './helpers/accounts.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { until } from './helpers/process.ts'

// @food-fleet/client against a real server on the embedded database, over real connections.
let t: TestApp
let baseUrl: string
let admin: TestUser
beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000/minute' } })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  admin = await createUser(t, { superuser: true })
})
afterAll(() => t.close())

/** A session whose fetch counts the refreshes it sends, and whose sign-outs are recorded. */
function session(storage = memoryStorage()) {
  const signedOut: SignedOutReason[] = []
  let refreshes = 0
  const client = new AuthSession({
    baseUrl,
    storage,
    fetch: (request) => {
      if (request.url.endsWith('/api/v1/auth/refresh')) refreshes += 1
      return fetch(request)
    },
    onSignedOut: (reason) => signedOut.push(reason),
  })
  return { client, signedOut, refreshes: () => refreshes }
}

/** Stored tokens whose access token expired an hour ago, for the same session. */
function expired(tokens: Tokens): Tokens {
  const claims = JSON.parse(
    Buffer.from(tokens.access_token.split('.')[1] as string, 'base64url').toString(),
  ) as { sub: string; sid: string }
  const past = createTokens({
    secret: t.deps.config.SECRET_KEY,
    accessTtlSeconds: 60,
    clock: { now: () => new Date(Date.now() - 3_600_000) },
  })
  return { ...tokens, access_token: past.signAccess(Number(claims.sub), claims.sid).token }
}

describe('AuthSession', () => {
  it('signs in, calls the API with the bearer, and signs out on the server', async () => {
    const { client, signedOut } = session()
    expect(await client.login(admin.email, PASSWORD)).toEqual({ twoFactorRequired: false })
    const me = unwrap(await client.api.GET('/api/v1/users/me'))
    expect(me.email).toBe(admin.email)

    await client.logout()
    expect(client.signedIn).toBe(false)
    expect(signedOut).toEqual(['logout'])
    const after = await client.api.GET('/api/v1/users/me')
    expect(after.response.status).toBe(401)
  })

  it('refreshes once for ten calls failing at the same moment, and all of them succeed', async () => {
    const storage = memoryStorage()
    const { client, refreshes } = session(storage)
    await client.login(admin.email, PASSWORD)
    storage.save(expired(storage.load() as Tokens))
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => client.api.GET('/api/v1/users/me')),
    )
    expect(answers.map((answer) => answer.response.status)).toEqual(Array(10).fill(200))
    expect(refreshes()).toBe(1)
    await client.logout()
  })

  it('signs out and says so when a refresh token is reused after its rotation', async () => {
    const storage = memoryStorage()
    const { client, signedOut } = session(storage)
    await client.login(admin.email, PASSWORD)
    const rotatedAway = storage.load() as Tokens
    expect(await client.refresh()).toBe(true)
    // A copy of the old tokens (a stolen one, another tab's) is used again.
    storage.save(expired(rotatedAway))
    const answer = await client.api.GET('/api/v1/users/me')
    expect(answer.response.status).toBe(401)
    expect(signedOut).toEqual(['refresh_refused'])
    expect(client.signedIn).toBe(false)
  })

  it('signs in with the code texted for two-factor sign-in', async () => {
    const user = await createUser(t)
    const phone = '+14155550199'
    const own = new AuthSession({ baseUrl })
    await own.login(user.email, PASSWORD)
    unwrap(await own.api.PATCH('/api/v1/users/me', { body: { phone_number: phone } }))
    unwrap(await own.api.POST('/api/v1/auth/2fa/enable'))
    const code = await nextCodeTo(phone, 0)
    unwrap(await own.api.POST('/api/v1/auth/2fa/confirm', { body: { code } }))

    const { client } = session()
    const signIn = await client.login(user.email, PASSWORD)
    expect(signIn.twoFactorRequired).toBe(true)
    if (!signIn.twoFactorRequired) return
    await client.verifyTwoFactor(signIn.challengeToken, await nextCodeTo(phone, 1))
    expect(unwrap(await client.api.GET('/api/v1/users/me')).email).toBe(user.email)
  })

  it('throws typed errors: 422 with the fields, 409 with its code', async () => {
    const { client } = session()
    await client.login(admin.email, PASSWORD)
    const category = unwrap(
      await client.api.POST('/api/v1/categories/', { body: { name: `Soups ${Date.now()}` } }),
    )
    const invalid = await client.api.POST('/api/v1/products/', {
      body: { name: 'Soup', price: 1.234, category_id: category.id },
    })
    const error = catchError(() => unwrap(invalid))
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 422, code: 'validation_failed' })
    expect(error.errors.map((field) => field.field)).toContain('price')

    const duplicate = await client.api.POST('/api/v1/categories/', {
      body: { name: category.name },
    })
    expect(catchError(() => unwrap(duplicate))).toMatchObject({ status: 409, code: 'conflict' })
  })

  it('uploads a file and reads it back', async () => {
    const { client } = session()
    await client.login(admin.email, PASSWORD)
    const pdf = Buffer.from('%PDF-1.4\n% a menu\n')
    const stored = unwrap(
      await client.api.POST('/api/v1/files/', {
        body: { file: 'menu.pdf' },
        bodySerializer: () => {
          const form = new FormData()
          form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'menu.pdf')
          return form
        },
      }),
    )
    expect(stored).toMatchObject({ filename: 'menu.pdf', content_type: 'application/pdf' })
    const bytes = await client.api.GET('/api/v1/files/{id}', {
      params: { path: { id: stored.id } },
      parseAs: 'arrayBuffer',
    })
    expect(Buffer.from(unwrap(bytes) as ArrayBuffer).equals(pdf)).toBe(true)
  })
})

/** The code in the next SMS to `phone`, once more than `seen` were sent (the outbox sends it). */
async function nextCodeTo(phone: string, seen: number): Promise<string> {
  const dir = join(t.deps.config.DATA_DIR, 'sms')
  const texts = await until(() => {
    const found = existsSync(dir)
      ? readdirSync(dir)
          .sort()
          .map((file) => readFileSync(join(dir, file), 'utf8'))
          .filter((text) => text.startsWith(`To: ${phone}\n`))
      : []
    return found.length > seen ? found : undefined
  })
  return texts.at(-1)?.match(/\b(\d{6})\b/)?.[1] as string
}

function catchError(action: () => unknown): ApiError {
  try {
    action()
  } catch (error) {
    return error as ApiError
  }
  throw new Error('nothing was thrown')
}
