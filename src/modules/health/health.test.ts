import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, createTestDatabase, type TestApp } from '../../../test/helpers/app.ts'
import { connectRedis } from '../../core/redis.ts'
import { createHealthService } from './health.service.ts'

describe('GET /health', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  it('answers healthy without touching any dependency', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'healthy' })
  })

  it('reports every dependency as healthy or disabled when all are up', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/detailed' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      api: 'healthy',
      database: 'healthy',
      redis: process.env.REDIS_URL ? 'healthy' : 'disabled',
    })
  })
})

describe('GET /health/detailed with a dead database', () => {
  it('answers 503 and names the database unhealthy', async () => {
    const t = await createTestApp()
    try {
      await t.deps.database.close()
      const response = await t.app.inject({ method: 'GET', url: '/health/detailed' })
      expect(response.statusCode).toBe(503)
      expect(response.json()).toMatchObject({ api: 'healthy', database: 'unhealthy' })
    } finally {
      await t.close()
    }
  })
})

describe('health service with a hung Redis', () => {
  let silentServer: Server
  const sockets = new Set<Socket>()
  beforeAll(async () => {
    // Accepts connections and never answers: a hung dependency, not a refused one.
    silentServer = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => silentServer.close(() => resolve()))
  })

  it('answers within its timeout and names Redis unhealthy', async () => {
    const address = silentServer.address() as { port: number }
    const redis = connectRedis(`redis://127.0.0.1:${address.port}`, 'health-test')
    const database = await createTestDatabase()
    try {
      const service = createHealthService({ database, redis, timeoutMs: 300 })
      const started = performance.now()
      const report = await service.detailed()
      expect(performance.now() - started).toBeLessThan(1500)
      expect(report).toEqual({ api: 'healthy', database: 'healthy', redis: 'unhealthy' })
    } finally {
      redis.disconnect()
      await database.close()
    }
  })
})
