import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, recordingLogger, type TestApp } from '../../test/helpers/app.ts'
import { modules } from '../modules/index.ts'
import { publicRoute } from './auth/access.ts'
import { defineModule } from './module.ts'

const { lines, logger } = recordingLogger('debug')

/** A value a failing query carries: its parameter, and PostgreSQL's message quotes it too. */
const QUERY_VALUE = 'leaky-search-text-7f3a@example.com'

const slowRoute = defineModule({
  name: 'slow-probe',
  description: 'A test module',
  routes(app, _services, { database }) {
    app.get('/probe/bad-query', { config: publicRoute }, async () => {
      await database.db.execute(sql`select ${QUERY_VALUE}::integer as n`)
      return { done: true }
    })
    app.get('/probe/slow', { config: publicRoute }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 30))
      return { done: true }
    })
    app.get('/probe/crash', { config: publicRoute }, async () => {
      throw new Error('boom')
    })
  },
})

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({
    logger,
    modules: [...modules, slowRoute],
    env: { SLOW_REQUEST_MS: '20' },
  })
  // As once a server listens: no request's time includes compiling its route's schemas.
  await t.compileSchemas()
})
afterAll(() => t.close())

describe('logs', () => {
  it('write one JSON line per request, carrying its request id', async () => {
    lines.length = 0
    await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'log-test-1' } })
    const requestLines = lines.filter((line) => line.reqId === 'log-test-1')
    expect(requestLines).toHaveLength(1)
    expect(requestLines[0]).toMatchObject({ method: 'GET', url: '/health', status: 200, level: 20 })
  })

  it('log a healthy request at debug, a client error at info and a slow request at warn', async () => {
    lines.length = 0
    await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'log-404' } })
    await t.app.inject({
      method: 'GET',
      url: '/probe/slow',
      headers: { 'x-request-id': 'log-slow' },
    })
    expect(lines.find((line) => line.reqId === 'log-404')).toMatchObject({ level: 30, status: 404 })
    expect(lines.find((line) => line.reqId === 'log-slow')).toMatchObject({
      level: 40,
      status: 200,
    })
  })

  it('log an unexpected error with its request id and stack, through the request logger', async () => {
    lines.length = 0
    await t.app.inject({
      method: 'GET',
      url: '/probe/crash',
      headers: { 'x-request-id': 'log-500' },
    })
    const logged = lines.find((line) => line.reqId === 'log-500' && line.msg === 'unhandled error')
    expect(logged).toMatchObject({ level: 50, err: { message: 'boom' } })
    expect(String((logged?.err as { stack?: string } | undefined)?.stack)).toContain('Error: boom')
  })

  it('log a failed query by its shape, code and request id, never its values', async () => {
    lines.length = 0
    const response = await t.app.inject({
      method: 'GET',
      url: '/probe/bad-query',
      headers: { 'x-request-id': 'log-sql' },
    })
    expect(response.statusCode).toBe(500)
    const logged = lines.filter((line) => line.reqId === 'log-sql')
    expect(logged.length).toBeGreaterThan(0)
    expect(JSON.stringify(lines)).not.toContain(QUERY_VALUE)
    const failure = logged.find((line) => line.msg === 'unhandled error')
    expect(failure?.err).toMatchObject({
      type: 'DatabaseError',
      message: 'Failed query: select $1::integer as n',
      code: '22P02',
    })
    expect(String((failure?.err as { stack?: string } | undefined)?.stack)).toMatch(/\n\s+at /)
  })

  it('redact credentials, tokens and codes wherever they appear', () => {
    lines.length = 0
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'session=1' } },
        body: { password: 'hunter22', refresh_token: 'r-123', code: '123456' },
        password: 'top-level',
      },
      'probe',
    )
    const text = JSON.stringify(lines)
    for (const secret of ['abc.def.ghi', 'session=1', 'hunter22', 'r-123', '123456', 'top-level']) {
      expect(text).not.toContain(secret)
    }
    expect(text).toContain('[redacted]')
  })
})
