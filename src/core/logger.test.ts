import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/helpers/app.ts'
import { createLogger } from './logger.ts'

const lines: Record<string, unknown>[] = []
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(JSON.parse(String(chunk)))
    done()
  },
})
const logger = createLogger({ LOG_LEVEL: 'info', NODE_ENV: 'test', APP_NAME: 'test' }, sink)

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ logger })
})
afterAll(() => t.close())

describe('logs', () => {
  it('write one JSON line per request, carrying its request id', async () => {
    lines.length = 0
    await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'log-test-1' } })
    const requestLines = lines.filter((line) => line.reqId === 'log-test-1')
    expect(requestLines).toHaveLength(1)
    expect(requestLines[0]).toMatchObject({ method: 'GET', url: '/health', status: 200 })
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
