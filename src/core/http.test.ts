import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/helpers/app.ts'
import { modules } from '../modules/index.ts'
import { publicRoute } from './auth/access.ts'
import { AppError } from './errors.ts'
import { defineModule } from './module.ts'
import { problemResponses } from './schemas.ts'

/** Routes that exercise every error path the conventions must turn into problem+json. */
const conventionsProbe = defineModule({
  name: 'conventions-probe',
  description: 'A test module',
  routes(app) {
    app.post(
      '/probe/items/',
      {
        config: publicRoute,
        schema: {
          body: Type.Object({ name: Type.String({ maxLength: 5 }), price: Type.Number() }),
          response: { 201: Type.Object({ name: Type.String() }), ...problemResponses(422) },
        },
      },
      async (request, reply) => reply.code(201).send({ name: request.body.name }),
    )
    app.get('/probe/conflict', { config: publicRoute }, async () => {
      throw new AppError(409, 'conflict', 'Name is taken', { name: 'x' })
    })
    app.get('/probe/crash', { config: publicRoute }, async () => {
      throw new Error('secret internal detail at /srv/app.ts:42')
    })
  },
})

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({
    modules: [...modules, conventionsProbe],
    env: { CORS_ORIGINS: '["https://app.example.com"]', BODY_LIMIT_KB: '1' },
  })
})
afterAll(() => t.close())

const postItem = (payload: object | string, headers?: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/probe/items/', payload, headers })

function expectProblem(response: { headers: Record<string, unknown>; json(): unknown }) {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  return response.json() as Record<string, unknown>
}

describe('HTTP conventions', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/nowhere' })
    expect(response.statusCode).toBe(404)
    expect(expectProblem(response)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Route GET /nowhere not found',
      code: 'not_found',
    })
  })

  it('answers a body that fails validation with 422 and the fields at fault', async () => {
    const response = await postItem({ name: 'far too long', price: 'free' })
    expect(response.statusCode).toBe(422)
    const body = expectProblem(response)
    expect(body.code).toBe('validation_failed')
    expect(body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
    )
  })

  it('names a missing required field', async () => {
    const response = await postItem({ price: 1 })
    expect(response.statusCode).toBe(422)
    expect(expectProblem(response).errors).toEqual([
      { field: 'name', message: "must have required property 'name'" },
    ])
  })

  it.each([
    {
      refusal: 'malformed JSON',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json' },
      status: 400,
      code: 'malformed_request',
    },
    {
      refusal: 'a body over the limit',
      payload: { name: 'a', price: 1, padding: 'x'.repeat(2048) },
      status: 413,
      code: 'payload_too_large',
    },
    {
      refusal: 'an unsupported content type',
      payload: '<item/>',
      headers: { 'content-type': 'application/xml' },
      status: 415,
      code: 'unsupported_media_type',
    },
  ])('answers $refusal with $status $code', async ({ payload, headers, status, code }) => {
    const response = await postItem(payload, headers)
    expect(response.statusCode).toBe(status)
    expect(expectProblem(response).code).toBe(code)
  })

  it('turns an AppError into a problem with its code and extra members', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/probe/conflict' })
    expect(response.statusCode).toBe(409)
    expect(expectProblem(response)).toMatchObject({
      status: 409,
      title: 'Conflict',
      code: 'conflict',
      detail: 'Name is taken',
      name: 'x',
    })
  })

  it('hides an unexpected error behind a generic 500 that quotes the request id', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/probe/crash',
      headers: { 'x-request-id': 'trace-123' },
    })
    expect(response.statusCode).toBe(500)
    const body = expectProblem(response)
    expect(body).toMatchObject({ code: 'internal_error', request_id: 'trace-123' })
    expect(response.body).not.toContain('secret internal detail')
    expect(response.body).not.toContain('app.ts')
  })

  it('serves collection paths with and without the trailing slash', async () => {
    for (const url of ['/probe/items/', '/probe/items']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        payload: { name: 'ok', price: 1 },
      })
      expect(response.statusCode).toBe(201)
    }
  })
})

describe('request ids', () => {
  it('echoes a well-formed incoming X-Request-Id', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'abc-123.def' },
    })
    expect(response.headers['x-request-id']).toBe('abc-123.def')
  })

  it('replaces a malformed one with a generated id', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\twith spaces'.repeat(20) },
    })
    expect(response.headers['x-request-id']).toMatch(/^[A-Za-z0-9_-]{8}-[0-9a-z]+$/)
  })

  it('generates a different id for every request', async () => {
    const [a, b] = await Promise.all([
      t.app.inject({ method: 'GET', url: '/health' }),
      t.app.inject({ method: 'GET', url: '/health' }),
    ])
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id'])
  })
})

describe('security headers and CORS', () => {
  it('sends the API security headers on every response', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' })
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    })
  })

  it('allows a configured origin, preflight included', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/probe/items/',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
      },
    })
    expect(response.statusCode).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com')
  })

  it('does not allow an origin that is not configured', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example.com' },
    })
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
  })
})
