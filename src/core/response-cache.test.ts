import Fastify from 'fastify'
import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { publicRoute, requirePermission } from './auth/access.ts'
import { type Cache, createMemoryCache, noCache } from './cache.ts'
import type { App } from './module.ts'
import { cacheResponses } from './response-cache.ts'

const Item = Type.Object({ id: Type.Integer(), name: Type.String() })

/** A route that counts its calls and answers through its response schema (which drops `secret`). */
async function appWith(cache: Cache) {
  const app = Fastify() as unknown as App
  cacheResponses(app, cache)
  const calls = { item: 0, list: 0 }
  app.get(
    '/items/:id',
    {
      config: { ...publicRoute, cacheResponse: { group: ({ id }) => `item:${id}`, seconds: 30 } },
      schema: {
        params: Type.Object({ id: Type.Integer() }),
        response: { 200: Item, 404: Type.Object({ detail: Type.String() }) },
      },
    },
    async (request, reply) => {
      calls.item++
      const { id } = request.params as { id: number }
      if (id === 404) return reply.code(404).send({ detail: 'missing' })
      return { id, name: `item ${id}`, secret: 'never sent' }
    },
  )
  app.get(
    '/items/',
    {
      config: { ...publicRoute, cacheResponse: { group: 'items', seconds: 30 } },
      schema: {
        querystring: Type.Object({ limit: Type.Integer({ default: 2 }) }),
        response: { 200: Type.Array(Item) },
      },
    },
    async (request) => {
      calls.list++
      const { limit } = request.query as { limit: number }
      return Array.from({ length: limit }, (_, id) => ({ id, name: `item ${id}` }))
    },
  )
  await app.ready()
  return { app, calls }
}

describe('response cache', () => {
  it('answers a repeated request from the cache, as its schema serialized it, per URL', async () => {
    const { app, calls } = await appWith(createMemoryCache())
    const first = await app.inject({ url: '/items/7' })
    const second = await app.inject({ url: '/items/7' })
    expect(first.json()).toEqual({ id: 7, name: 'item 7' })
    expect(second.body).toBe(first.body)
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(calls.item).toBe(1)

    expect((await app.inject({ url: '/items/?limit=3' })).json()).toHaveLength(3)
    expect((await app.inject({ url: '/items/?limit=1' })).json()).toHaveLength(1)
    expect((await app.inject({ url: '/items/?limit=3' })).json()).toHaveLength(3)
    expect(calls.list).toBe(2)
  })

  it('serves again from the source once the group is dropped, and keeps other groups', async () => {
    const cache = createMemoryCache()
    const { app, calls } = await appWith(cache)
    await app.inject({ url: '/items/1' })
    await app.inject({ url: '/items/2' })
    await cache.delete('item:1')
    await app.inject({ url: '/items/1' })
    await app.inject({ url: '/items/2' })
    expect(calls.item).toBe(3)
  })

  it('stores only 200 answers and answers HEAD uncached', async () => {
    const { app, calls } = await appWith(createMemoryCache())
    expect((await app.inject({ url: '/items/404' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/items/404' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/items/x' })).statusCode).toBe(400)
    expect(calls.item).toBe(2)
    const head = await app.inject({ method: 'HEAD', url: '/items/5' })
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe('')
    expect((await app.inject({ url: '/items/5' })).json()).toEqual({ id: 5, name: 'item 5' })
    expect(calls.item).toBe(4)
  })

  it('caches nothing with the cache turned off', async () => {
    const { app, calls } = await appWith(noCache)
    await app.inject({ url: '/items/1' })
    await app.inject({ url: '/items/1' })
    expect(calls.item).toBe(2)
  })

  it('refuses to cache a protected route or a write: their answers are not everyone’s', () => {
    const app = Fastify() as unknown as App
    cacheResponses(app, createMemoryCache())
    const cacheResponse = { group: 'g', seconds: 1 }
    expect(() =>
      app.get(
        '/mine',
        { config: { ...requirePermission('files' as never, 'read'), cacheResponse } },
        async () => ({}),
      ),
    ).toThrow(/only a public GET route/)
    expect(() =>
      app.post('/items', { config: { ...publicRoute, cacheResponse } }, async () => ({})),
    ).toThrow(/only a public GET route/)
  })
})
