import { Writable } from 'node:stream'
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { describeWithMoto, motoClientConfig, motoEnv } from '../../../test/helpers/moto.ts'
import { until } from '../../../test/helpers/process.ts'
import { createLogger } from '../../core/logger.ts'

/**
 * Password reset and two-factor sign-in end to end through the HTTP API, with SES and SNS on
 * moto_server: every code is read from what moto received, as a user reads it from their phone.
 */
describeWithMoto('codes by SES and SNS (moto_server)', (moto) => {
  let t: TestApp
  const logs: string[] = []
  const bodies: string[] = []
  let ipCounter = 0

  beforeAll(async () => {
    const env = { ...motoEnv(moto), EMAIL_BACKEND: 'ses', SMS_BACKEND: 'sns', JOB_BACKOFF_MS: '50' }
    const ses = new SESv2Client(motoClientConfig(moto))
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'noreply@example.com' }))
    ses.destroy()
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk))
        done()
      },
    })
    const logger = createLogger({ LOG_LEVEL: 'trace', NODE_ENV: 'test', APP_NAME: 'test' }, sink)
    t = await createTestApp({ env, logger })
  }, 60_000)

  afterAll(() => t?.close())

  async function post(url: string, payload?: object, token?: string) {
    ipCounter += 1
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/auth/${url}`,
      payload,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      remoteAddress: `10.77.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`,
    })
    bodies.push(response.body)
    return response
  }

  type Sms = { phone_number: string; message: string }
  type RawEmail = { destinations: { ToAddresses?: string[] } | string[]; raw_data: string }

  const smsTo = async (phone: string) =>
    ((await moto.data()).sns?.SMS as Sms[] | undefined)?.filter(
      (sms) => sms.phone_number === phone,
    ) ?? []
  const emailsTo = async (address: string) =>
    ((await moto.data()).ses?.RawMessage as RawEmail[] | undefined)?.filter((email) =>
      email.raw_data.includes(`To: ${address}`),
    ) ?? []

  /** The newest code sent to a phone, once there are more than `seen` messages. */
  async function codeBySms(phone: string, seen: number): Promise<string> {
    const messages = await until(async () => {
      const found = await smsTo(phone)
      return found.length > seen ? found : undefined
    })
    return /(\d{6})/.exec(messages.at(-1)?.message ?? '')?.[1] as string
  }

  let userCounter = 0
  async function newUser(phone?: string) {
    userCounter += 1
    const email = `codes${userCounter}-${Date.now()}@example.com`
    const password = 'correct-horse-42'
    const registered = await post('register', {
      email,
      username: `codes${userCounter}${Date.now()}`,
      password,
      ...(phone ? { phone_number: phone } : {}),
    })
    expect(registered.statusCode, registered.body).toBe(201)
    return { email, password, phone }
  }

  const login = (user: { email: string; password: string }) =>
    post('login', { email: user.email, password: user.password })

  it('sends exactly one welcome email for a registration', async () => {
    const user = await newUser()
    const emails = await until(async () => {
      const found = await emailsTo(user.email)
      return found.length > 0 ? found : undefined
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await emailsTo(user.email)).toHaveLength(1)
    expect(emails[0]?.raw_data).toContain('Subject: Welcome to Our Platform')
  })

  it('resets a password with the code sent by SMS, once, and ends every session', async () => {
    const user = await newUser('+14155550101')
    const before = await login(user)
    const { refresh_token } = before.json()

    expect((await post('password-reset/request', { email: user.email })).statusCode).toBe(202)
    const code = await codeBySms('+14155550101', 0)
    expect((await smsTo('+14155550101'))[0]?.message).toBe(
      `Your password reset code is: ${code}. Valid for 15 minutes.`,
    )

    const wrong = code === '000000' ? '000001' : '000000'
    const refused = await post('password-reset/confirm', {
      email: user.email,
      code: wrong,
      new_password: 'brand-new-pass-7',
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().code).toBe('invalid_code')

    const weak = await post('password-reset/confirm', {
      email: user.email,
      code,
      new_password: 'short',
    })
    expect(weak.statusCode).toBe(422)

    const reset = await post('password-reset/confirm', {
      email: user.email,
      code,
      new_password: 'brand-new-pass-7',
    })
    expect(reset.statusCode, reset.body).toBe(204)
    expect((await post('refresh', { refresh_token })).statusCode).toBe(401)
    const signedOut = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { authorization: `Bearer ${before.json().access_token}` },
    })
    expect(signedOut.statusCode).toBe(401)
    expect(signedOut.json().code).toBe('session_ended')
    expect((await login({ email: user.email, password: 'brand-new-pass-7' })).statusCode).toBe(200)

    const again = await post('password-reset/confirm', {
      email: user.email,
      code,
      new_password: 'another-pass-8',
    })
    expect(again.statusCode).toBe(400)
  })

  it('sends the reset code by email to an account without a phone', async () => {
    const user = await newUser()
    await until(async () => ((await emailsTo(user.email)).length === 1 ? true : undefined))
    expect((await post('password-reset/request', { email: user.email })).statusCode).toBe(202)
    const email = await until(async () => (await emailsTo(user.email))[1])
    expect(email.raw_data).toContain('Subject: Your password reset code')
    const code = /<strong>(\d{6})<\/strong>/.exec(email.raw_data.replace(/=\r?\n/g, ''))?.[1]
    const reset = await post('password-reset/confirm', {
      email: user.email,
      code,
      new_password: 'brand-new-pass-7',
    })
    expect(reset.statusCode, reset.body).toBe(204)
  })

  it('answers an unknown email exactly like a known one, and sends nothing', async () => {
    const known = await newUser('+14155550102')
    const forKnown = await post('password-reset/request', { email: known.email })
    const forUnknown = await post('password-reset/request', { email: 'nobody-here@example.com' })
    expect([forUnknown.statusCode, forUnknown.body]).toEqual([forKnown.statusCode, forKnown.body])
    await codeBySms('+14155550102', 0)
    const confirm = await post('password-reset/confirm', {
      email: 'nobody-here@example.com',
      code: '123456',
      new_password: 'brand-new-pass-7',
    })
    expect(confirm.statusCode).toBe(400)
    expect(confirm.json().code).toBe('invalid_code')
  })

  it('spends a code after five wrong tries, and refuses an expired one', async () => {
    const user = await newUser('+14155550103')
    await post('password-reset/request', { email: user.email })
    const code = await codeBySms('+14155550103', 0)
    const wrong = code === '000000' ? '000001' : '000000'
    for (let i = 0; i < 5; i++) {
      await post('password-reset/confirm', {
        email: user.email,
        code: wrong,
        new_password: 'brand-new-pass-7',
      })
    }
    const right = { email: user.email, code, new_password: 'brand-new-pass-7' }
    expect((await post('password-reset/confirm', right)).statusCode).toBe(400)

    await post('password-reset/request', { email: user.email })
    const fresh = await codeBySms('+14155550103', 1)
    await t.deps.database.db.execute(
      sql`update verification_codes set expires_at = now() - interval '1 second' where used_at is null`,
    )
    expect((await post('password-reset/confirm', { ...right, code: fresh })).statusCode).toBe(400)
  })

  it('turns two-factor sign-in on by SMS, signs in with a challenge, and turns it off', async () => {
    const user = await newUser('+14155550104')
    const { access_token } = (await login(user)).json()

    expect((await post('2fa/enable', undefined, access_token)).statusCode).toBe(202)
    const setup = await codeBySms('+14155550104', 0)
    expect((await smsTo('+14155550104'))[0]?.message).toBe(`Your verification code is: ${setup}`)
    const confirmed = await post('2fa/confirm', { code: setup }, access_token)
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    expect(confirmed.json().two_factor_enabled).toBe(true)

    const challenged = await login(user)
    expect(challenged.statusCode).toBe(200)
    const { two_factor_required, challenge_token } = challenged.json()
    expect(two_factor_required).toBe(true)
    expect(challenged.json().access_token).toBeUndefined()
    const code = await codeBySms('+14155550104', 1)
    const wrong = code === '000000' ? '000001' : '000000'
    expect((await post('2fa/verify', { challenge_token, code: wrong })).statusCode).toBe(401)
    const verified = await post('2fa/verify', { challenge_token, code })
    expect(verified.statusCode, verified.body).toBe(200)
    expect(verified.json().token_type).toBe('bearer')
    expect((await post('2fa/verify', { challenge_token, code })).statusCode).toBe(401)

    const token = verified.json().access_token
    expect((await post('2fa/disable', { password: 'not-my-password-1' }, token)).statusCode).toBe(
      400,
    )
    const disabled = await post('2fa/disable', { password: user.password }, token)
    expect(disabled.json().two_factor_enabled).toBe(false)
    expect((await login(user)).json().access_token).toBeTypeOf('string')
  })

  it('allows five tries per sign-in challenge', async () => {
    const user = await newUser('+14155550105')
    const { access_token } = (await login(user)).json()
    await post('2fa/enable', undefined, access_token)
    await post('2fa/confirm', { code: await codeBySms('+14155550105', 0) }, access_token)
    const { challenge_token } = (await login(user)).json()
    const code = await codeBySms('+14155550105', 1)
    const wrong = code === '000000' ? '000001' : '000000'
    for (let i = 0; i < 5; i++) await post('2fa/verify', { challenge_token, code: wrong })
    expect((await post('2fa/verify', { challenge_token, code })).statusCode).toBe(401)
  })

  it('needs a phone number to turn two-factor sign-in on', async () => {
    const user = await newUser()
    const { access_token } = (await login(user)).json()
    const response = await post('2fa/enable', undefined, access_token)
    expect(response.statusCode).toBe(422)
    expect(response.json().errors[0].field).toBe('phone_number')
  })

  it('never logs a password, a token or a challenge, even at trace level', async () => {
    const tokens = bodies.flatMap((body) => {
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>
        return [parsed.access_token, parsed.refresh_token, parsed.challenge_token].filter(
          (token): token is string => typeof token === 'string',
        )
      } catch {
        return []
      }
    })
    expect(tokens.length).toBeGreaterThan(10)
    const passwords = [
      'correct-horse-42',
      'brand-new-pass-7',
      'another-pass-8',
      'not-my-password-1',
    ]
    const logged = logs.join('\n')
    for (const secret of [...tokens, ...passwords]) expect(logged).not.toContain(secret)
  })

  it('never shows a code in a response or a log line', async () => {
    const sent = (((await moto.data()).sns?.SMS ?? []) as Sms[]).map(
      (sms) => /(\d{6})/.exec(sms.message)?.[1],
    )
    expect(sent.length).toBeGreaterThan(5)
    expect(logs.length).toBeGreaterThan(20)
    const everything = [...bodies, ...logs].join('\n')
    // As a number of its own: six digits may well occur inside a timestamp.
    for (const code of sent) expect(everything).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`))
  })
})
