import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/helpers/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toBe('3.1.0')
    const result = await new Validator().validate(document)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(document.paths['/health/detailed'].get.responses).toHaveProperty('503')
  })
})

describe('GET /docs', () => {
  it('serves the interactive docs under a CSP that lets them run', async () => {
    const index = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(index.statusCode).toBe(200)
    expect(index.headers['content-type']).toMatch(/text\/html/)
    const csp = String(index.headers['content-security-policy'])
    expect(csp).toContain("style-src 'self' 'unsafe-inline'")
    expect(csp).not.toContain("default-src 'none'")
    const script = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })
    expect(script.statusCode).toBe(200)
  })
})

describe('with DOCS_ENABLED=false', () => {
  it('serves neither the docs nor the document', async () => {
    const closed = await createTestApp({ env: { DOCS_ENABLED: 'false' } })
    try {
      expect((await closed.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(404)
      expect((await closed.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(
        404,
      )
    } finally {
      await closed.close()
    }
  })
})
