import { connect } from 'node:net'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { bearer, createUser } from './helpers/accounts.ts'
import { createTestApp } from './helpers/app.ts'

// One regression test per way the edge used to bend input (API.md, "Input is strict at the
// edge"); the property test (input.property.test.ts) covers the whole route table.
const t = await createTestApp()
afterAll(() => t.close())
const root = await createUser(t, { superuser: true })

const send = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: string | Buffer | object,
  headers: Record<string, string> = root.headers,
) =>
  t.app.inject({
    method,
    url,
    payload,
    headers: {
      ...headers,
      ...(typeof payload === 'string' || Buffer.isBuffer(payload)
        ? { 'content-type': 'application/json' }
        : {}),
    },
  })

const fieldsOf = (response: { json(): { errors?: { field: string }[] } }) =>
  response.json().errors?.map((error) => error.field)

describe('integers in paths and queries', () => {
  it.each(['Infinity', '-Infinity', 'NaN', '1e0', '0x1', '1.5', '+1'])(
    'answer 422 naming the parameter for id %s',
    async (id) => {
      for (const url of [
        `/api/v1/users/${id}`,
        `/api/v1/roles/${id}`,
        `/api/v1/sms-templates/${id}`,
      ]) {
        const response = await send('GET', url)
        expect(response.statusCode, url).toBe(422)
        expect(fieldsOf(response)).toEqual(['id'])
      }
    },
  )

  it.each(['abc', 'NaN', '1.5', '-1', 'Infinity', '1e1'])(
    'answer 422 for skip=%s on the product list',
    async (skip) => {
      const response = await send('GET', `/api/v1/products/?skip=${skip}`)
      expect(response.statusCode).toBe(422)
      expect(fieldsOf(response)).toEqual(['skip'])
    },
  )

  it('refuse a query parameter the route does not declare', async () => {
    const response = await send('GET', '/api/v1/categories/?skip=abc')
    expect(response.statusCode).toBe(422)
    expect(fieldsOf(response)).toEqual(['skip'])
    expect((await send('GET', '/api/v1/products/?skip=0007&limit=5')).statusCode).toBe(200)
  })
})

describe('JSON bodies', () => {
  it('are never coerced between types', async () => {
    const category = await send('POST', '/api/v1/categories/', { name: `Coerce ${Date.now()}` })
    const base = { name: 'Typed', price: 2.5, category_id: category.json().id }
    for (const [field, value, expected] of [
      ['stock', [1], 'integer'],
      ['price', '1', 'number'],
      ['stock', '3', 'integer'],
      ['name', 12345, 'string'],
    ] as const) {
      const response = await send('POST', '/api/v1/products/', { ...base, [field]: value })
      expect(response.statusCode, field).toBe(422)
      expect(response.json().errors).toEqual([{ field, message: `must be ${expected}` }])
    }
    for (const username of [true, 12345]) {
      const response = await send('PATCH', '/api/v1/users/me', { username })
      expect(response.statusCode).toBe(422)
      expect(fieldsOf(response)).toEqual(['username'])
    }
  })

  it('refuse NUL anywhere, before it reaches PostgreSQL or a job', async () => {
    const login = await send(
      'POST',
      '/api/v1/auth/login',
      '{"email":"a\\u0000@x.io","password":"p"}',
    )
    expect(login.statusCode).toBe(422)
    expect(login.json().errors).toEqual([
      { field: 'email', message: 'must not contain NUL characters' },
    ])
    const enqueue = vi.spyOn(t.deps.jobs, 'enqueue')
    const reset = await send(
      'POST',
      '/api/v1/auth/password-reset/request',
      '{"email":"victim\\u0000@example.com"}',
    )
    expect(reset.statusCode).toBe(422)
    expect(enqueue).not.toHaveBeenCalled()
    await send('POST', '/api/v1/auth/password-reset/request', { email: 'victim@example.com' })
    expect(enqueue).toHaveBeenCalledTimes(1)
    enqueue.mockRestore()
    const nested = await send('PATCH', '/api/v1/users/me', '{"first_name":"a\\u0000"}')
    expect(fieldsOf(nested)).toEqual(['first_name'])
    const search = await send('GET', '/api/v1/users/?search=a%00b')
    expect(search.statusCode).toBe(422)
    expect(fieldsOf(search)).toEqual(['search'])
  })

  it('refuse lone surrogates', async () => {
    const response = await send('PATCH', '/api/v1/users/me', '{"last_name":"x\\ud800"}')
    expect(response.statusCode).toBe(422)
    expect(fieldsOf(response)).toEqual(['last_name'])
  })

  it('that are not UTF-8 answer 400 invalid_body, changing nothing', async () => {
    const before = (await send('GET', '/api/v1/users/me')).json().first_name
    const bytes = Buffer.concat([
      Buffer.from('{"first_name":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ])
    const response = await send('PATCH', '/api/v1/users/me', bytes)
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('invalid_body')
    expect((await send('GET', '/api/v1/users/me')).json().first_name).toBe(before)
  })

  it('sent as text/plain answer 415', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: { ...root.headers, 'content-type': 'text/plain' },
      payload: '{"first_name":"Plain"}',
    })
    expect(response.statusCode).toBe(415)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})

describe('the Authorization header', () => {
  it('is exactly Bearer, one space and one token', async () => {
    const token = root.accessToken
    for (const header of [
      `Bearer ${token} extra`,
      `Bearer  ${token}`,
      `Bearer\t${token}`,
      `Basic ${token}`,
      'Bearer',
      `${token}`,
    ]) {
      const response = await send('GET', '/api/v1/users/me', undefined, { authorization: header })
      expect(response.statusCode, header.slice(0, 20)).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
      expect(response.json().code).toBe('invalid_token')
    }
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await send('GET', '/api/v1/users/me', undefined, {
        authorization: `${scheme} ${token}`,
      })
      expect(response.statusCode).toBe(200)
    }
    expect((await send('GET', '/api/v1/users/me', undefined, bearer('x'))).statusCode).toBe(401)
  })
})

describe('methods the API does not answer', () => {
  it('get 405 problem+json with Allow, also when Node does not know them', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = t.app.server.address() as { port: number }
    for (const method of ['TRACK', 'PROPFIND']) {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(
            `${method} /api/v1/products/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
          ),
        )
        let text = ''
        socket.on('data', (chunk) => {
          text += chunk
        })
        socket.on('close', () => resolve(text))
        socket.on('error', reject)
        socket.setTimeout(5000, () => socket.destroy())
      })
      expect(raw, method).toMatch(/^HTTP\/1\.1 405 /)
      expect(raw).toMatch(/\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i)
      expect(raw).toMatch(/\r\ncontent-type: application\/problem\+json/i)
      expect(raw).toContain('"code":"method_not_allowed"')
    }
  })
})
