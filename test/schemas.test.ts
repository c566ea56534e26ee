import { afterAll, describe, expect, it } from 'vitest'
import { bearer, createUser } from './helpers/accounts.ts'
import { createTestApp } from './helpers/app.ts'

// Each route's validator and serializer is compiled by its first request or by compileSchemas
// once the server listens (core/compilers.ts), so a schema Ajv or fast-json-stringify cannot
// compile would only show then: do both.
const t = await createTestApp()
afterAll(() => t.close())

const admin = await createUser(t, { superuser: true })
const fill = (url: string) => url.replace(/:[a-z_]+/g, '1')

describe('every route of the route table', () => {
  it('has schemas that all compile', async () => {
    await expect(t.compileSchemas()).resolves.toBeUndefined()
  })

  it('validates its input and serializes its answer without a server error', async () => {
    const failures: string[] = []
    for (const route of t.routes) {
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: fill(route.url),
        headers: bearer(admin.accessToken),
        payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      })
      if (response.statusCode >= 500) {
        failures.push(`${route.method} ${route.url}: ${response.statusCode} ${response.body}`)
      }
    }
    expect(t.routes.length).toBeGreaterThan(40)
    expect(failures).toEqual([])
  })
})
