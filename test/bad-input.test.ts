import { afterAll, describe, expect, it } from 'vitest'
import { createUser } from './helpers/accounts.ts'
import { createTestApp } from './helpers/app.ts'

// Every route, as a superuser (past every guard), fed what a careless or hostile client sends:
// the answer is a 4xx problem (or a success), never a 500, and never carries a secret.
const t = await createTestApp()
afterAll(() => t.close())
const root = await createUser(t, { superuser: true })

const withIds = t.routes.filter((route) => route.url.includes(':'))
const withBodies = t.routes.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method))
const huge = 'x'.repeat(200_000)
const unicode = 'Zoë 😀 \u202e\ud800 \u0000 ١٢٣'

const bodies: [string, unknown][] = [
  ['an empty object', {}],
  ['an array', [1, 2]],
  ['a string', 'hello'],
  ['a number', 42],
  [
    'wrong types',
    {
      email: 12,
      password: ['a'],
      name: { a: 1 },
      username: true,
      permission_ids: 'all',
      role_id: 'x',
      is_active: 'yes',
    },
  ],
  [
    'huge strings',
    {
      email: huge,
      password: huge,
      username: huge,
      name: huge,
      first_name: huge,
      refresh_token: huge,
    },
  ],
  [
    'unicode and NULs',
    {
      email: `${unicode}@example.com`,
      username: unicode,
      password: unicode,
      name: unicode,
      resource: unicode,
      action: unicode,
    },
  ],
  [
    'out-of-range numbers',
    { role_id: 99999999999, permission_ids: [0, -1, 99999999999], page: -1 },
  ],
]

function expectSafe(response: { statusCode: number; body: string }) {
  expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500)
  expect(response.body).not.toMatch(/\$argon2|password_hash|token_hash|stack|at \//)
}

describe.each(withIds)('$method $url with a bad id', (route) => {
  it.each(['0', '-1', '99999999999', 'abc', '1.5', '%00'])('answers 422 for %s', async (id) => {
    const response = await t.app.inject({
      method: route.method as 'GET',
      url: route.url.replace(/:[a-z_]+/g, id),
      headers: root.headers,
      payload: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
    })
    expectSafe(response)
    expect([404, 422]).toContain(response.statusCode)
  })
})

describe.each(withBodies)('$method $url with a bad body', (route) => {
  it.each(bodies)('stays below 500 for %s', async (_kind, payload) => {
    const response = await t.app.inject({
      method: route.method as 'POST',
      url: route.url.replace(/:[a-z_]+/g, String(root.id)),
      headers: { ...root.headers, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    })
    expectSafe(response)
  })
})

describe('queries', () => {
  it.each([
    'page=0',
    'page=abc',
    'size=0',
    'size=1000',
    `search=${'x'.repeat(500)}`,
    'page=99999999999',
  ])('GET /api/v1/users/?%s answers 422', async (query) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/?${query}`,
      headers: root.headers,
    })
    expectSafe(response)
    expect(response.statusCode).toBe(422)
  })
})
