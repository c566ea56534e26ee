import type { Config } from '../config.ts'
import type { Logger } from './logger.ts'
import type { Redis } from './redis.ts'

/**
 * The guide's RedisCache: JSON values with a time to live. On Redis when configured (shared by
 * every process), else in memory, bounded. A cache failure is logged and treated as a miss.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>
  delete(...keys: string[]): Promise<void>
  deleteByPrefix(prefix: string): Promise<void>
  /**
   * A group holds JSON texts that go stale together (every page of a list): one field per text,
   * dropped all at once by `delete(group)`. Texts, not values: a cached answer goes out as it
   * is, never parsed and serialized again. The group's time to live runs from its first field,
   * and it takes at most `MAX_GROUP_FIELDS` fields, so no run of distinct queries grows it
   * without bound.
   */
  getField(group: string, field: string): Promise<JsonText | undefined>
  setField(group: string, field: string, json: string, ttlSeconds: number): Promise<void>
}

/** JSON as text: a string, or its UTF-8 bytes as Redis gives them (sent on without decoding). */
export type JsonText = string | Buffer

export const MAX_GROUP_FIELDS = 500

export interface MemoryCacheOptions {
  maxEntries?: number
  now?: () => number
}

export function createMemoryCache({
  maxEntries = 10_000,
  now = Date.now,
}: MemoryCacheOptions = {}): Cache {
  // A Map keeps insertion order: re-inserting on read makes the first key the least recently used.
  // A group is one entry whose value is its fields (field → JSON).
  const entries = new Map<string, { value: string | Map<string, string>; expiresAt: number }>()
  function live(key: string) {
    const entry = entries.get(key)
    if (!entry) return undefined
    entries.delete(key)
    if (entry.expiresAt <= now()) return undefined
    entries.set(key, entry)
    return entry
  }
  function store(key: string, value: string | Map<string, string>, ttlSeconds: number) {
    entries.delete(key)
    entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 })
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
  }
  return {
    async get<T>(key: string) {
      const value = live(key)?.value
      return typeof value === 'string' ? (JSON.parse(value) as T) : undefined
    },
    async set(key, value, ttlSeconds) {
      store(key, JSON.stringify(value), ttlSeconds)
    },
    async getField(group, field) {
      const fields = live(group)?.value
      return fields instanceof Map ? fields.get(field) : undefined
    },
    async setField(group, field, json, ttlSeconds) {
      const fields = live(group)?.value
      if (!(fields instanceof Map)) store(group, new Map([[field, json]]), ttlSeconds)
      else if (fields.size < MAX_GROUP_FIELDS || fields.has(field)) fields.set(field, json)
    },
    async delete(...keys) {
      for (const key of keys) entries.delete(key)
    },
    async deleteByPrefix(prefix) {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key)
    },
  }
}

// Sets a field while the group has room; the expiry is set with the group's first field only.
const SET_FIELD_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HLEN', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
end
return 0
`

export function createRedisCache(redis: Redis, logger: Logger, namespace: string): Cache {
  const failed = (operation: string) => (error: unknown) => {
    logger.warn({ err: error, operation }, 'cache unavailable')
    return undefined
  }
  return {
    async get<T>(key: string) {
      const json = await redis.get(namespace + key).catch(failed('get'))
      return json == null ? undefined : (JSON.parse(json) as T)
    },
    async set(key, value, ttlSeconds) {
      await redis.set(namespace + key, JSON.stringify(value), 'EX', ttlSeconds).catch(failed('set'))
    },
    async delete(...keys) {
      if (keys.length === 0) return
      await redis.unlink(...keys.map((key) => namespace + key)).catch(failed('delete'))
    },
    async getField(group, field) {
      const json = await redis.hgetBuffer(namespace + group, field).catch(failed('getField'))
      return json ?? undefined
    },
    async setField(group, field, json, ttlSeconds) {
      await redis
        .eval(
          SET_FIELD_SCRIPT,
          1,
          namespace + group,
          field,
          json,
          String(ttlSeconds),
          String(MAX_GROUP_FIELDS),
        )
        .catch(failed('setField'))
    },
    async deleteByPrefix(prefix) {
      const stream = redis.scanStream({ match: `${escapeGlob(namespace + prefix)}*`, count: 500 })
      try {
        for await (const keys of stream as AsyncIterable<string[]>) {
          if (keys.length > 0) await redis.unlink(...keys)
        }
      } catch (error) {
        failed('deleteByPrefix')(error)
      }
    },
  }
}

function escapeGlob(pattern: string): string {
  return pattern.replace(/[*?[\]\\]/g, '\\$&')
}

/** Caches nothing: `CACHE_ENABLED=false`, to rule the cache out while debugging or measuring. */
export const noCache: Cache = {
  get: async () => undefined,
  set: async () => {},
  delete: async () => {},
  deleteByPrefix: async () => {},
  getField: async () => undefined,
  setField: async () => {},
}

/** The cache the configuration asks for: none, Redis (shared by every process), or memory. */
export function cacheFor(
  config: Pick<Config, 'CACHE_ENABLED' | 'REDIS_KEY_PREFIX'>,
  redis: Redis | undefined,
  logger: Logger,
): Cache {
  if (!config.CACHE_ENABLED) return noCache
  return redis
    ? createRedisCache(redis, logger, `${config.REDIS_KEY_PREFIX}cache:`)
    : createMemoryCache()
}
