import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../test/helpers/app.ts'
import {
  type Cache,
  cacheFor,
  createMemoryCache,
  createRedisCache,
  type JsonText,
  MAX_GROUP_FIELDS,
} from './cache.ts'
import { connectRedis } from './redis.ts'

const redisUrl = process.env.REDIS_URL
const redis = redisUrl ? connectRedis(redisUrl, 'cache-test') : undefined
afterAll(async () => {
  await redis?.quit()
})

const kinds: [string, () => Cache][] = [['memory', () => createMemoryCache()]]
if (redis)
  kinds.push(['redis', () => createRedisCache(redis, silentLogger, `ff-test:${randomUUID()}:`)])

/** Group fields are JSON text: a string in memory, the bytes from Redis. */
const text = async (field: Promise<JsonText | undefined>) => {
  const value = await field
  return value === undefined ? undefined : String(value)
}

describe.each(kinds)('%s cache', (_kind, create) => {
  it('returns what was set, as JSON', async () => {
    const cache = create()
    await cache.set('product:1', { id: 1, price: 9.99, tags: ['a'] }, 60)
    expect(await cache.get('product:1')).toEqual({ id: 1, price: 9.99, tags: ['a'] })
    expect(await cache.get('product:2')).toBeUndefined()
  })

  it('deletes keys and keys by prefix', async () => {
    const cache = create()
    await cache.set('products:list:1', [1], 60)
    await cache.set('products:list:2', [2], 60)
    await cache.set('categories:list', [3], 60)
    await cache.deleteByPrefix('products:')
    expect(await cache.get('products:list:1')).toBeUndefined()
    expect(await cache.get('products:list:2')).toBeUndefined()
    expect(await cache.get('categories:list')).toEqual([3])
    await cache.delete('categories:list')
    expect(await cache.get('categories:list')).toBeUndefined()
  })

  it('keeps the fields of a group and drops them together', async () => {
    const cache = create()
    await cache.setField('lists', 'page:0:20', '[{"id":1}]', 60)
    await cache.setField('lists', 'count:all', '7', 60)
    await cache.set('other', 1, 60)
    expect(await text(cache.getField('lists', 'page:0:20'))).toBe('[{"id":1}]')
    expect(await text(cache.getField('lists', 'count:all'))).toBe('7')
    expect(await text(cache.getField('lists', 'page:20:20'))).toBeUndefined()
    await cache.delete('lists')
    expect(await text(cache.getField('lists', 'page:0:20'))).toBeUndefined()
    expect(await text(cache.getField('lists', 'count:all'))).toBeUndefined()
    expect(await cache.get('other')).toBe(1)
  })

  it(`takes at most ${MAX_GROUP_FIELDS} fields in a group, and still updates those it has`, async () => {
    const cache = create()
    for (let i = 0; i < MAX_GROUP_FIELDS + 20; i++)
      await cache.setField('pages', `p${i}`, String(i), 60)
    expect(await text(cache.getField('pages', `p${MAX_GROUP_FIELDS - 1}`))).toBe(
      String(MAX_GROUP_FIELDS - 1),
    )
    expect(await text(cache.getField('pages', `p${MAX_GROUP_FIELDS}`))).toBeUndefined()
    await cache.setField('pages', 'p0', '"new"', 60)
    expect(await text(cache.getField('pages', 'p0'))).toBe('"new"')
  })

  it('treats glob characters in a prefix literally', async () => {
    const cache = create()
    await cache.set('a*:1', 1, 60)
    await cache.set('ab:1', 2, 60)
    await cache.deleteByPrefix('a*')
    expect(await cache.get('a*:1')).toBeUndefined()
    expect(await cache.get('ab:1')).toBe(2)
  })
})

describe('memory cache', () => {
  it('expires entries after their time to live', async () => {
    let now = 1_000_000
    const cache = createMemoryCache({ now: () => now })
    await cache.set('k', 'v', 10)
    now += 9_999
    expect(await cache.get('k')).toBe('v')
    now += 2
    expect(await cache.get('k')).toBeUndefined()
  })

  it('expires a group from its first field, not its last', async () => {
    let now = 1_000_000
    const cache = createMemoryCache({ now: () => now })
    await cache.setField('g', 'a', '1', 10)
    now += 9_000
    await cache.setField('g', 'b', '2', 10)
    expect(await text(cache.getField('g', 'b'))).toBe('2')
    now += 1_001
    expect(await text(cache.getField('g', 'b'))).toBeUndefined()
  })

  it('evicts the least recently used entry beyond its bound', async () => {
    const cache = createMemoryCache({ maxEntries: 2 })
    await cache.set('a', 1, 60)
    await cache.set('b', 2, 60)
    await cache.get('a')
    await cache.set('c', 3, 60)
    expect(await cache.get('b')).toBeUndefined()
    expect(await cache.get('a')).toBe(1)
    expect(await cache.get('c')).toBe(3)
  })

  it('hands out copies, so a caller cannot change what is cached', async () => {
    const cache = createMemoryCache()
    await cache.set('k', { n: 1 }, 60)
    const first = await cache.get<{ n: number }>('k')
    if (first) first.n = 2
    expect(await cache.get('k')).toEqual({ n: 1 })
  })
})

describe('cacheFor', () => {
  it('caches nothing when CACHE_ENABLED is false', async () => {
    const cache = cacheFor(
      { CACHE_ENABLED: false, REDIS_KEY_PREFIX: 'x:' },
      undefined,
      silentLogger,
    )
    await cache.set('k', 1, 60)
    expect(await cache.get('k')).toBeUndefined()
  })

  it('caches in memory without Redis', async () => {
    const cache = cacheFor({ CACHE_ENABLED: true, REDIS_KEY_PREFIX: 'x:' }, undefined, silentLogger)
    await cache.set('k', 1, 60)
    expect(await cache.get('k')).toBe(1)
  })
})

describe.runIf(redis)('redis cache groups', () => {
  it('expire from their first field, not their last', async () => {
    const client = redis as NonNullable<typeof redis>
    const namespace = `ff-test:${randomUUID()}:`
    const cache = createRedisCache(client, silentLogger, namespace)
    await cache.setField('g', 'a', '1', 60)
    await cache.setField('g', 'b', '2', 3600)
    const ttl = await client.ttl(`${namespace}g`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60)
    await client.unlink(`${namespace}g`)
  })
})
