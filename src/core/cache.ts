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
}

export interface MemoryCacheOptions {
  maxEntries?: number
  now?: () => number
}

export function createMemoryCache({
  maxEntries = 10_000,
  now = Date.now,
}: MemoryCacheOptions = {}): Cache {
  // A Map keeps insertion order: re-inserting on read makes the first key the least recently used.
  const entries = new Map<string, { json: string; expiresAt: number }>()
  return {
    async get<T>(key: string) {
      const entry = entries.get(key)
      if (!entry) return undefined
      entries.delete(key)
      if (entry.expiresAt <= now()) return undefined
      entries.set(key, entry)
      return JSON.parse(entry.json) as T
    },
    async set(key, value, ttlSeconds) {
      entries.delete(key)
      entries.set(key, { json: JSON.stringify(value), expiresAt: now() + ttlSeconds * 1000 })
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
    },
    async delete(...keys) {
      for (const key of keys) entries.delete(key)
    },
    async deleteByPrefix(prefix) {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key)
    },
  }
}

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
