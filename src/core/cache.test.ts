import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../../test/helpers/app.ts'
import { servicesSet } from '../../test/helpers/process.ts'
import {
  type Cache,
  cacheFor,
  createMemoryCache,
  createRedisCache,
  type JsonText,
  MAX_GROUP_FIELDS,
  type RedisCacheOptions,
} from './cache.ts'
import { connectRedis, type Redis } from './redis.ts'

const redisUrl = process.env.REDIS_URL
const redis = redisUrl ? connectRedis(redisUrl, 'cache-test') : undefined
afterAll(async () => {
  await redis?.quit()
})

const opened: Cache[] = []
const namespaces: string[] = []
afterAll(async () => {
  for (const cache of opened) await cache.close()
  if (!redis) return
  for (const namespace of namespaces) {
    await createRedisCache(redis, silentLogger, namespace).deleteByPrefix('')
  }
})
/** A Redis cache on its own namespace, with in-process copies when `localBytes` is given. */
function redisCache(client: Redis, options: RedisCacheOptions = {}, namespace = newNamespace()) {
  const cache = createRedisCache(client, silentLogger, namespace, options)
  opened.push(cache)
  return cache
}
/** A namespace of its own, emptied once the file's tests are done. */
function newNamespace() {
  const namespace = `ff-test:${randomUUID()}:`
  namespaces.push(namespace)
  return namespace
}

const kinds: [string, () => Cache][] = [['memory', () => createMemoryCache()]]
if (redis) {
  kinds.push(['redis', () => redisCache(redis)])
  kinds.push(['redis with local copies', () => redisCache(redis, { localBytes: 1 << 20 })])
}

/** JSON texts are a string in memory, the bytes from Redis. */
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

  it('keeps a JSON text as it was set, and gives it as a value too', async () => {
    const cache = create()
    await cache.setText('text', '{"a":1,"b":[2]}', 60)
    expect(await text(cache.getText('text'))).toBe('{"a":1,"b":[2]}')
    expect(await cache.get('text')).toEqual({ a: 1, b: [2] })
    await cache.set('value', { c: 3 }, 60)
    expect(await text(cache.getText('value'))).toBe('{"c":3}')
    expect(await cache.getText('missing')).toBeUndefined()
  })

  it('adds a value only where the key holds none', async () => {
    const cache = create()
    await cache.add('session:a', true, 60)
    expect(await cache.get('session:a')).toBe(true)
    await cache.set('session:b', false, 60)
    await cache.add('session:b', true, 60)
    expect(await cache.get('session:b')).toBe(false)
    await cache.add('session:a', false, 60)
    expect(await cache.get('session:a')).toBe(true)
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
  it.each([
    { CACHE_ENABLED: false, kept: undefined, when: 'nothing when CACHE_ENABLED is false' },
    { CACHE_ENABLED: true, kept: 1, when: 'in memory without Redis' },
  ])('caches $when', async ({ CACHE_ENABLED, kept }) => {
    const config = { CACHE_ENABLED, CACHE_LOCAL_MB: 16, REDIS_KEY_PREFIX: 'x:' }
    const cache = cacheFor(config, undefined, silentLogger)
    await cache.set('k', 1, 60)
    expect(await cache.get('k')).toBe(kept)
  })
})

describe.runIf(servicesSet('the Redis cache', 'REDIS_URL') && redis)('redis cache groups', () => {
  it('expire from their first field, not their last', async () => {
    const client = redis as NonNullable<typeof redis>
    const namespace = newNamespace()
    const cache = createRedisCache(client, silentLogger, namespace)
    await cache.setField('g', 'a', '1', 60)
    await cache.setField('g', 'b', '2', 3600)
    const ttl = await client.ttl(`${namespace}g`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60)
    await client.unlink(`${namespace}g`)
  })
})

describe.runIf(redis)('redis cache with local copies', () => {
  const client = redis as NonNullable<typeof redis>
  // A second process: its own connection, no copies.
  const other = connectRedis(redisUrl as string, 'cache-test-other')
  afterAll(async () => {
    await other.quit()
  })

  /** Counts the reads that reach Redis. */
  function countReads(of: Redis = client) {
    const get = vi.spyOn(of, 'getBuffer')
    const hget = vi.spyOn(of, 'hgetBuffer')
    return {
      count: () => get.mock.calls.length + hget.mock.calls.length,
      [Symbol.dispose]() {
        get.mockRestore()
        hget.mockRestore()
      },
    }
  }

  /** Reads `key` until a read is served from the copy, i.e. once tracking is set up. */
  async function untilCopied(cache: Cache, key: string, of: Redis = client) {
    using reads = countReads(of)
    for (let tries = 0; tries < 200; tries++) {
      await cache.get(key)
      const before = reads.count()
      await cache.get(key)
      if (reads.count() === before) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`${key} was never served from a local copy`)
  }

  /** Polls until `read` gives `expected`: a change reaches the copies with Redis's message. */
  async function eventually(read: () => Promise<unknown>, expected: unknown) {
    for (let tries = 0; tries < 100; tries++) {
      if ((await read()) === expected) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(await read()).toBe(expected)
  }

  it('serves a read entry from memory until another process changes it', async () => {
    const namespace = newNamespace()
    const cache = redisCache(client, { localBytes: 1 << 20 }, namespace)
    await cache.set('k', 'first', 60)
    await untilCopied(cache, 'k')
    {
      using reads = countReads()
      for (let i = 0; i < 10; i++) expect(await cache.get('k')).toBe('first')
      expect(reads.count()).toBe(0)
    }
    await other.set(`${namespace}k`, JSON.stringify('second'))
    await eventually(() => cache.get('k'), 'second')
    await other.unlink(`${namespace}k`)
    await eventually(() => cache.get('k'), undefined)
  })

  it('drops a copied group when another process changes one of its fields, or it expires', async () => {
    const namespace = newNamespace()
    const cache = redisCache(client, { localBytes: 1 << 20 }, namespace)
    await cache.setField('lists', 'page:0', '[1]', 60)
    await cache.set('probe', 1, 60)
    await untilCopied(cache, 'probe')
    expect(await text(cache.getField('lists', 'page:0'))).toBe('[1]')
    await other.hset(`${namespace}lists`, 'page:0', '[2]')
    await eventually(() => text(cache.getField('lists', 'page:0')), '[2]')
    await other.pexpire(`${namespace}lists`, 20)
    await eventually(() => text(cache.getField('lists', 'page:0')), undefined)
  })

  it('does not copy an answer when the entry changes while it is being read', async () => {
    const namespace = newNamespace()
    const cache = redisCache(client, { localBytes: 1 << 20 }, namespace)
    await cache.set('probe', 1, 60)
    await untilCopied(cache, 'probe')
    await cache.set('k', 'old', 60)
    const getBuffer = client.getBuffer.bind(client)
    const slowRead = vi.spyOn(client, 'getBuffer').mockImplementationOnce(async (key) => {
      const answer = await getBuffer(key)
      // Another process writes after Redis answered, before the answer is used.
      await other.set(`${namespace}k`, JSON.stringify('new'))
      await new Promise((resolve) => setTimeout(resolve, 50))
      return answer
    })
    try {
      expect(await cache.get('k')).toBe('old')
    } finally {
      slowRead.mockRestore()
    }
    expect(await cache.get('k')).toBe('new')
  })

  it('misses no change made while its tracking connection is down', async () => {
    const name = `cache-test-${randomUUID()}`
    const own = connectRedis(redisUrl as string, name)
    const namespace = newNamespace()
    const cache = redisCache(own, { localBytes: 1 << 20 }, namespace)
    try {
      await cache.set('k', 'first', 60)
      await untilCopied(cache, 'k', own)
      // Kill the tracking connection: a change made now is reported to nobody, and must not be
      // missed once it reconnects.
      const line = String(await other.client('LIST'))
        .split('\n')
        .find((client) => client.includes(` name=food-fleet:${name}:tracking `))
      const id = /^id=(\d+) /.exec(line ?? '')?.[1]
      expect(id).toBeDefined()
      await other.client('KILL', 'ID', id as string)
      await other.set(`${namespace}k`, JSON.stringify('second'))
      await eventually(() => cache.get('k'), 'second')
      await untilCopied(cache, 'k', own)
      expect(await cache.get('k')).toBe('second')
    } finally {
      await cache.close()
      await own.quit()
    }
  })

  it('keeps copies within its size, dropping the least recently used', async () => {
    const cache = redisCache(client, { localBytes: 100 })
    await cache.set('a', 'a'.repeat(60), 60)
    await cache.set('b', 'b'.repeat(60), 60)
    await untilCopied(cache, 'a')
    using reads = countReads()
    await cache.get('b')
    await cache.get('b')
    expect(reads.count()).toBe(1)
    await cache.get('a')
    expect(reads.count()).toBe(2)
  })
})
