import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, everyAction, type TestUser } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { until } from '../../../test/helpers/process.ts'
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp.ts'
import { jobHandlersOf } from '../../core/module.ts'
import { modules } from '../index.ts'

let sink: SmtpSink
beforeAll(async () => {
  sink = await startSmtpSink()
})
afterAll(() => sink.close())

const smtpEnv = () => ({
  EMAIL_BACKEND: 'smtp',
  SMTP_URL: sink.url,
  JOB_BACKOFF_MS: '20',
  JOB_ATTEMPTS: '3',
})

let registrations = 0
async function register(t: TestApp) {
  registrations += 1
  const email = `new${registrations}-${Date.now()}@example.com`
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, username: `new${registrations}${Date.now()}`, password: 'correct-horse-42' },
    remoteAddress: `10.9.${registrations}.1`,
  })
  expect(response.statusCode, response.body).toBe(201)
  return email
}

async function outbox(t: TestApp, admin: TestUser, query = '') {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/v1/notifications/?size=100${query}`,
    headers: admin.headers,
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as {
    total: number
    items: {
      id: number
      recipient: string
      status: string
      attempts: number
      last_error: string | null
    }[]
  }
}

const messagesTo = (email: string) => sink.messages.filter((mime) => mime.includes(`To: ${email}`))

describe('welcome email through the outbox', () => {
  let t: TestApp
  let admin: TestUser
  beforeAll(async () => {
    t = await createTestApp({ env: smtpEnv() })
    admin = await createUser(t, { permissions: ['notifications:read'] })
  })
  afterAll(() => t.close())

  it('records the email with the registration and delivers it once', async () => {
    const email = await register(t)
    await until(async () => (messagesTo(email).length > 0 ? true : undefined))
    const row = await until(async () =>
      (await outbox(t, admin)).items.find(
        (item) => item.recipient === email && item.status === 'sent',
      ),
    )
    expect(row).toMatchObject({ attempts: 1, last_error: null })
    expect(messagesTo(email)).toHaveLength(1)
    expect(messagesTo(email)[0]).toContain('Subject: Welcome to Our Platform')
  })

  it('counts messages by status for the last 24 hours and each of the last days', async () => {
    const email = await register(t)
    // Delivered before the next test tells the sink to refuse.
    await until(async () => (messagesTo(email).length > 0 ? true : undefined))
    const summary = async (query = '') => {
      const response = await t.call('GET', `/notifications/summary${query}`, admin)
      expect(response.statusCode, response.body).toBe(200)
      return response.json() as {
        last_24h: Record<'queued' | 'sent' | 'failed', number>
        days: ({ day: string } & Record<'queued' | 'sent' | 'failed', number>)[]
      }
    }
    const { total } = await outbox(t, admin)
    const week = await summary()
    expect(week.days.map((day) => day.day)).toEqual(
      [6, 5, 4, 3, 2, 1, 0].map((ago) =>
        new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10),
      ),
    )
    const counted = ({ queued, sent, failed }: Record<'queued' | 'sent' | 'failed', number>) =>
      queued + sent + failed
    expect(counted(week.last_24h)).toBe(total)
    expect(counted(week.days.at(-1) as Record<'queued' | 'sent' | 'failed', number>)).toBe(total)
    expect((await summary('?days=1')).days).toHaveLength(1)
    expect((await t.call('GET', '/notifications/summary?days=91', admin)).statusCode).toBe(422)
    const outsider = await createUser(t)
    expect((await t.call('GET', '/notifications/summary', outsider)).statusCode).toBe(403)
  })

  it.each([
    {
      refusals: 2,
      status: 'sent',
      delivered: 1,
      case: 'retries with backoff while the SMTP server refuses, then delivers',
    },
    {
      refusals: 3,
      status: 'failed',
      delivered: 0,
      case: 'marks the row failed after the last attempt, keeping the error',
    },
  ] as const)('$case', async ({ refusals, status, delivered }) => {
    sink.refuseNext(refusals)
    const email = await register(t)
    const row = await until(async () =>
      (await outbox(t, admin)).items.find(
        (item) => item.recipient === email && item.status === status,
      ),
    )
    expect(row.attempts).toBe(3)
    expect(row.last_error).toEqual(status === 'failed' ? expect.stringMatching(/451/) : null)
    expect(messagesTo(email)).toHaveLength(delivered)
  })

  it('sends a failed email again on retry, its tries counted anew', async () => {
    const operator = await createUser(t, {
      permissions: ['notifications:read', 'notifications:update'],
    })
    const retry = (id: number, user: TestUser = operator) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/notifications/${id}/retry`,
        headers: user.headers,
      })
    sink.refuseNext(3)
    const email = await register(t)
    const failed = await until(async () =>
      (await outbox(t, admin)).items.find(
        (item) => item.recipient === email && item.status === 'failed',
      ),
    )
    expect((await retry(failed.id, admin)).statusCode).toBe(403)
    const retried = await retry(failed.id)
    expect(retried.statusCode, retried.body).toBe(200)
    expect(retried.json()).toMatchObject({ id: failed.id, status: 'queued', attempts: 0 })
    const sent = await until(async () =>
      (await outbox(t, admin)).items.find(
        (item) => item.recipient === email && item.status === 'sent',
      ),
    )
    expect(sent).toMatchObject({ attempts: 1, last_error: null })
    expect(messagesTo(email)).toHaveLength(1)

    const again = await retry(failed.id)
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({
      code: 'notification_not_failed',
      notification_status: 'sent',
    })
    expect((await retry(2_000_000)).statusCode).toBe(404)
  })

  it('lists rows for admins only, without bodies, filtered by channel and status', async () => {
    const listed = await outbox(t, admin, '&channel=email&status=sent')
    expect(listed.items.length).toBeGreaterThan(0)
    for (const item of listed.items) {
      expect(Object.keys(item).sort()).toEqual(
        [
          'attempts',
          'channel',
          'created_at',
          'id',
          'last_error',
          'recipient',
          'sent_at',
          'status',
          'subject',
          'template',
        ].sort(),
      )
    }
    const user = await createUser(t)
    const denied = await t.app.inject({
      method: 'GET',
      url: '/api/v1/notifications/',
      headers: user.headers,
    })
    expect(denied.statusCode).toBe(403)
  })

  it('records nothing when the registration fails', async () => {
    const before = (await outbox(t, admin)).total
    const email = await register(t)
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, username: `dup${Date.now()}`, password: 'correct-horse-42' },
      remoteAddress: '10.8.0.1',
    })
    expect(again.statusCode).toBe(409)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await outbox(t, admin)).total).toBe(before + 1)
  })
})

describe('delivery when no worker runs', () => {
  it('keeps the row queued, then delivers it once a worker starts', async () => {
    const t = await createTestApp({ env: { ...smtpEnv(), RUN_WORKERS: 'false' } })
    try {
      const admin = await createUser(t, { permissions: ['notifications:read'] })
      const email = await register(t)
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(messagesTo(email)).toHaveLength(0)
      expect((await outbox(t, admin)).items.find((item) => item.recipient === email)?.status).toBe(
        'queued',
      )
      await t.deps.jobs.work(jobHandlersOf(modules, t.services, t.context))
      await until(async () =>
        (await outbox(t, admin)).items.find(
          (item) => item.recipient === email && item.status === 'sent',
        ),
      )
      expect(messagesTo(email)).toHaveLength(1)
    } finally {
      await t.close()
    }
  })
})

describe('a message holding a code', () => {
  it('is not sent once its code has expired, nor kept, nor retryable', async () => {
    const t = await createTestApp({ env: { ...smtpEnv(), RUN_WORKERS: 'false' } })
    try {
      const operator = await createUser(t, {
        permissions: ['notifications:read', 'notifications:update'],
      })
      const to = `late-${Date.now()}@example.com`
      const id = await t.services.notificationsService.email(undefined, {
        to,
        subject: 'Your password reset code',
        template: 'auth/templates/password_reset.html',
        context: { username: 'late', code: '123456', minutes: 15 },
        expiresAt: new Date(Date.now() + 200),
      })
      // The worker comes up after the code expired (it was down, Redis was lost).
      await new Promise((resolve) => setTimeout(resolve, 300))
      await t.deps.jobs.work(jobHandlersOf(modules, t.services, t.context))
      const row = await until(async () =>
        (await outbox(t, operator)).items.find(
          (item) => item.id === id && item.status !== 'queued',
        ),
      )
      expect(row).toMatchObject({ status: 'failed', attempts: 0 })
      expect(row.last_error).toMatch(/^Expired/)
      expect(messagesTo(to)).toHaveLength(0)
      const retried = await t.app.inject({
        method: 'POST',
        url: `/api/v1/notifications/${id}/retry`,
        headers: operator.headers,
      })
      expect(retried.statusCode).toBe(409)
      expect(retried.json().code).toBe('notification_not_retryable')
    } finally {
      await t.close()
    }
  })
})

describe('SMS templates', () => {
  let t: TestApp
  let manager: TestUser
  beforeAll(async () => {
    t = await createTestApp()
    manager = await createUser(t, { permissions: everyAction('notifications') })
  })
  afterAll(() => t.close())

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1/sms-templates/${url}`, payload, headers: manager.headers })

  it("seeds the guide's 2fa_code and password_reset templates", async () => {
    const listed = (await call('GET', '')).json()
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: '2fa_code',
          content: 'Your verification code is: {{code}}',
        }),
        expect.objectContaining({
          name: 'password_reset',
          content: 'Your password reset code is: {{code}}. Valid for 15 minutes.',
        }),
      ]),
    )
  })

  it('creates, reads, updates and deletes a template', async () => {
    const created = await call('POST', '', {
      name: 'order_ready',
      content: 'Order {{ order_id }} is ready',
      description: 'Pickup notice',
    })
    expect(created.statusCode, created.body).toBe(201)
    const { id } = created.json()
    expect((await call('GET', String(id))).json().name).toBe('order_ready')
    const updated = await call('PUT', String(id), { content: 'Order {{ order_id }} is on its way' })
    expect(updated.json()).toMatchObject({ name: 'order_ready', description: 'Pickup notice' })
    expect((await call('POST', '', { name: 'order_ready', content: 'x' })).statusCode).toBe(409)
    expect((await call('DELETE', String(id))).statusCode).toBe(204)
    expect((await call('GET', String(id))).statusCode).toBe(404)
  })

  it('refuses a template that does not parse', async () => {
    const response = await call('POST', '', { name: 'broken', content: 'Code {{ code ' })
    expect(response.statusCode).toBe(422)
    expect(response.json().errors[0].field).toBe('content')
  })

  it('protects the templates the app sends from deletion and renaming', async () => {
    const required = (await call('GET', ''))
      .json()
      .find((row: { name: string }) => row.name === '2fa_code')
    expect((await call('DELETE', String(required.id))).statusCode).toBe(409)
    expect((await call('PUT', String(required.id), { name: 'other' })).statusCode).toBe(409)
    const edited = await call('PUT', String(required.id), { content: 'Code: {{code}}' })
    expect(edited.statusCode).toBe(200)
  })

  it('sends an SMS from a template, and refuses one with a variable missing', async () => {
    const { notificationsService } = t.services
    await expect(
      notificationsService.sms(undefined, {
        to: '+14155550123',
        template: 'password_reset',
        variables: {},
      }),
    ).rejects.toThrow('template (text) needs code')
    await expect(
      notificationsService.sms(undefined, { to: '+14155550123', template: 'nope', variables: {} }),
    ).rejects.toThrow('SMS template "nope" does not exist')
  })
})
