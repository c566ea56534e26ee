import type { Config } from '../config.ts'
import { unavailableReason } from './errors.ts'
import type { Logger } from './logger.ts'
import { type Redis, redisScript, trackKeys } from './redis.ts'

/**
 * The guide's RedisCache: JSON values with a time to live. On Redis when configured (shared by
 * every process, with an in-process copy of what is read most), else in memory, bounded. A cache
 * failure is logged and treated as a miss.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>
  /**
   * Sets the value unless the key holds one: a value read from the database before a concurrent
   * `set` never overwrites what that `set` wrote.
   */
  add(key: string, value: unknown, ttlSeconds: number): Promise<void>
  /** A JSON text as stored: a cached answer goes out as it is, never parsed and serialized again. */
  getText(key: string): Promise<JsonText | undefined>
  setText(key: string, json: string, ttlSeconds: number): Promise<void>
  addText(key: string, json: string, ttlSeconds: number): Promise<void>
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
  /** Stops what the cache runs in the background (the Redis invalidation connection). */
  close(): Promise<void>
}

/** JSON as text: a string, or its UTF-8 bytes as Redis gives them (sent on without decoding). */
export type JsonText = string | Buffer

export const MAX_GROUP_FIELDS = 500

/** An entry is one JSON text, or a group's fields. */
type Stored = JsonText | Map<string, JsonText>

/** What each kind of cache provides: values are their JSON texts (`withValues`). */
type TextCache = Omit<Cache, 'get' | 'set' | 'add'>

function withValues(cache: TextCache): Cache {
  return {
    ...cache,
    async get<T>(key: string) {
      const json = await cache.getText(key)
      return json === undefined ? undefined : (JSON.parse(String(json)) as T)
    },
    set: (key, value, ttlSeconds) => cache.setText(key, JSON.stringify(value), ttlSeconds),
    add: (key, value, ttlSeconds) => cache.addText(key, JSON.stringify(value), ttlSeconds),
  }
}

/**
 * Entries with a time to live, dropped least recently used first beyond `maxEntries` or
 * `maxBytes` (the length of their JSON texts). A Map keeps insertion order: re-inserting on
 * read makes the first key the least recently used.
 */
function createLruStore({
  maxEntries,
  maxBytes,
  now,
}: {
  maxEntries: number
  maxBytes: number
  now: () => number
}) {
  const entries = new Map<string, { value: Stored; expiresAt: number; bytes: number }>()
  let bytes = 0
  function remove(key: string) {
    const entry = entries.get(key)
    if (!entry) return
    entries.delete(key)
    bytes -= entry.bytes
  }
  function evict() {
    while (entries.size > maxEntries || bytes > maxBytes) {
      const oldest = entries.keys().next().value
      if (oldest === undefined) return
      remove(oldest)
    }
  }
  function live(key: string) {
    const entry = entries.get(key)
    if (!entry) return undefined
    entries.delete(key)
    if (entry.expiresAt <= now()) {
      bytes -= entry.bytes
      return undefined
    }
    entries.set(key, entry)
    return entry
  }
  function store(key: string, value: Stored, ttlSeconds: number) {
    remove(key)
    const size = value instanceof Map ? textLength(value.values()) : value.length
    entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000, bytes: size })
    bytes += size
    evict()
  }
  return {
    /** A live entry's text (it becomes the most recently used). */
    text(key: string): JsonText | undefined {
      const value = live(key)?.value
      return value instanceof Map ? undefined : value
    },
    /** A field of a live group (the group becomes the most recently used). */
    field(group: string, field: string): JsonText | undefined {
      const value = live(group)?.value
      return value instanceof Map ? value.get(field) : undefined
    },
    store: (key: string, json: JsonText, ttlSeconds: number) => store(key, json, ttlSeconds),
    /**
     * Sets a field of a live group while it has room, or starts the group: its time to live runs
     * from its first field.
     */
    storeField(group: string, field: string, json: JsonText, ttlSeconds: number) {
      const entry = live(group)
      if (!(entry?.value instanceof Map)) return store(group, new Map([[field, json]]), ttlSeconds)
      const fields = entry.value
      if (fields.size >= MAX_GROUP_FIELDS && !fields.has(field)) return
      const size = json.length - (fields.get(field)?.length ?? 0)
      fields.set(field, json)
      entry.bytes += size
      bytes += size
      evict()
    },
    remove,
    removeByPrefix(prefix: string) {
      for (const key of entries.keys()) if (key.startsWith(prefix)) remove(key)
    },
    clear() {
      entries.clear()
      bytes = 0
    },
  }
}

function textLength(texts: Iterable<JsonText>): number {
  let length = 0
  for (const text of texts) length += text.length
  return length
}

export interface MemoryCacheOptions {
  maxEntries?: number
  now?: () => number
}

export function createMemoryCache({
  maxEntries = 10_000,
  now = Date.now,
}: MemoryCacheOptions = {}): Cache {
  const store = createLruStore({ maxEntries, maxBytes: Number.POSITIVE_INFINITY, now })
  return withValues({
    getText: async (key) => store.text(key),
    async setText(key, json, ttlSeconds) {
      store.store(key, json, ttlSeconds)
    },
    async addText(key, json, ttlSeconds) {
      if (store.text(key) === undefined) store.store(key, json, ttlSeconds)
    },
    getField: async (group, field) => store.field(group, field),
    async setField(group, field, json, ttlSeconds) {
      store.storeField(group, field, json, ttlSeconds)
    },
    async delete(...keys) {
      for (const key of keys) store.remove(key)
    },
    async deleteByPrefix(prefix) {
      store.removeByPrefix(prefix)
    },
    async close() {},
  })
}

/**
 * How long this process keeps its copy of an entry read from Redis at most. Redis tells it when
 * the entry changes; this only bounds how long a copy outlives a message lost with its connection.
 */
const LOCAL_COPY_SECONDS = 30

/**
 * This process's copies of Redis entries, kept only while Redis reports every change to them
 * (client-side caching, `CLIENT TRACKING … BCAST`): a change by any process, an expiry or a
 * flush drops the copy when its message arrives. While that connection is down nothing is
 * copied and nothing copied is used.
 */
function createLocalCopies(maxBytes: number, now: () => number) {
  const store = createLruStore({ maxEntries: Number.POSITIVE_INFINITY, maxBytes, now })
  // Reads of Redis in flight, by key: a change reported meanwhile makes their answer too old to copy.
  const reads = new Map<string, Set<{ stale: boolean }>>()
  let tracked = false
  const dropAll = () => {
    store.clear()
    for (const pending of reads.values()) for (const read of pending) read.stale = true
  }
  return {
    text: (key: string) => (tracked ? store.text(key) : undefined),
    field: (group: string, field: string) => (tracked ? store.field(group, field) : undefined),
    /** Runs a read of Redis and copies its answer unless the key changed meanwhile. */
    async read<T extends JsonText>(
      key: string,
      load: () => Promise<T | null | undefined>,
      copy: (value: T) => void,
    ): Promise<T | undefined> {
      if (!tracked) return (await load()) ?? undefined
      const read = { stale: false }
      const pending = reads.get(key) ?? new Set()
      reads.set(key, pending)
      pending.add(read)
      try {
        const value = (await load()) ?? undefined
        if (value !== undefined && !read.stale) copy(value)
        return value
      } finally {
        pending.delete(read)
        if (pending.size === 0) reads.delete(key)
      }
    },
    store: (key: string, json: JsonText) => store.store(key, json, LOCAL_COPY_SECONDS),
    storeField: (group: string, field: string, json: JsonText) =>
      store.storeField(group, field, json, LOCAL_COPY_SECONDS),
    /** Keys changed in Redis, or `null`: everything (a flush). */
    changed(keys: string[] | null) {
      if (keys === null) return dropAll()
      for (const key of keys) {
        store.remove(key)
        for (const read of reads.get(key) ?? []) read.stale = true
      }
    },
    removeByPrefix: store.removeByPrefix,
    tracking(on: boolean) {
      tracked = on
      if (!on) dropAll()
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

export interface RedisCacheOptions {
  /** Bytes of JSON this process may keep copies of; 0 keeps none. */
  localBytes?: number
  now?: () => number
}

export function createRedisCache(
  redis: Redis,
  logger: Logger,
  namespace: string,
  { localBytes = 0, now = Date.now }: RedisCacheOptions = {},
): Cache {
  const setFieldScript = redisScript(redis, 'foodFleetCacheSetField', SET_FIELD_SCRIPT)
  // A lost connection has been reported once by the connection itself; other failures are news.
  const failed = (operation: string) => (error: unknown) => {
    if (redis.status === 'ready' && !unavailableReason(error)) {
      logger.warn({ err: error, operation }, 'cache unavailable')
    }
    return undefined
  }
  const local = localBytes > 0 ? createLocalCopies(localBytes, now) : undefined
  const tracker = local
    ? trackKeys(redis, namespace, logger, {
        changed: local.changed,
        tracking: local.tracking,
      })
    : undefined
  const readText = (key: string) => redis.getBuffer(key).catch(failed('get'))
  const readField = (group: string, field: string) =>
    redis.hgetBuffer(group, field).catch(failed('getField'))
  return withValues({
    async getText(key) {
      const fullKey = namespace + key
      if (!local) return (await readText(fullKey)) ?? undefined
      const copied = local.text(fullKey)
      if (copied !== undefined) return copied
      return local.read(
        fullKey,
        () => readText(fullKey),
        (json) => local.store(fullKey, ownCopy(json)),
      )
    },
    async setText(key, json, ttlSeconds) {
      await redis.set(namespace + key, json, 'EX', ttlSeconds).catch(failed('set'))
    },
    async addText(key, json, ttlSeconds) {
      await redis.set(namespace + key, json, 'EX', ttlSeconds, 'NX').catch(failed('add'))
    },
    async delete(...keys) {
      if (keys.length === 0) return
      const fullKeys = keys.map((key) => namespace + key)
      local?.changed(fullKeys)
      await redis.unlink(...fullKeys).catch(failed('delete'))
    },
    async getField(group, field) {
      const fullKey = namespace + group
      if (!local) return (await readField(fullKey, field)) ?? undefined
      const copied = local.field(fullKey, field)
      if (copied !== undefined) return copied
      return local.read(
        fullKey,
        () => readField(fullKey, field),
        (json) => local.storeField(fullKey, field, ownCopy(json)),
      )
    },
    async setField(group, field, json, ttlSeconds) {
      await setFieldScript(
        [namespace + group],
        [field, json, String(ttlSeconds), String(MAX_GROUP_FIELDS)],
      ).catch(failed('setField'))
    },
    async deleteByPrefix(prefix) {
      local?.removeByPrefix(namespace + prefix)
      const stream = redis.scanStream({ match: `${escapeGlob(namespace + prefix)}*`, count: 500 })
      try {
        for await (const keys of stream as AsyncIterable<string[]>) {
          if (keys.length > 0) await redis.unlink(...keys)
        }
      } catch (error) {
        failed('deleteByPrefix')(error)
      }
    },
    async close() {
      tracker?.close()
    },
  })
}

/** A Redis reply may be a view of a larger socket buffer: the copy holds only its own bytes. */
function ownCopy(reply: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(reply.length)
  reply.copy(copy)
  return copy
}

function escapeGlob(pattern: string): string {
  return pattern.replace(/[*?[\]\\]/g, '\\$&')
}

/** Caches nothing: `CACHE_ENABLED=false`, to rule the cache out while debugging or measuring. */
export const noCache: Cache = {
  get: async () => undefined,
  set: async () => {},
  add: async () => {},
  getText: async () => undefined,
  setText: async () => {},
  addText: async () => {},
  delete: async () => {},
  deleteByPrefix: async () => {},
  getField: async () => undefined,
  setField: async () => {},
  close: async () => {},
}

/** The cache the configuration asks for: none, Redis (shared by every process), or memory. */
export function cacheFor(
  config: Pick<Config, 'CACHE_ENABLED' | 'CACHE_LOCAL_MB' | 'REDIS_KEY_PREFIX'>,
  redis: Redis | undefined,
  logger: Logger,
): Cache {
  if (!config.CACHE_ENABLED) return noCache
  return redis
    ? createRedisCache(redis, logger, `${config.REDIS_KEY_PREFIX}cache:`, {
        localBytes: config.CACHE_LOCAL_MB * 1024 * 1024,
      })
    : createMemoryCache()
}
