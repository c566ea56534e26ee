import type { Redis } from 'ioredis'
import { withDeadline } from './deadline.ts'
import { lazyRequire } from './lazy.ts'
import type { Logger } from './logger.ts'

export type { Redis }

/** ioredis, loaded only by a process with `REDIS_URL` (BullMQ loads the same copy). */
export const ioredis = lazyRequire<typeof import('ioredis')>('ioredis')

/** How long a request-path Redis command may take before it fails (a miss, a local count). */
const COMMAND_TIMEOUT_MS = 1000

/**
 * A Redis connection for request-path work (cache, rate limits). No request waits on a lost
 * Redis: once connected, a command sent while the connection is down fails at once (no offline
 * queue), and one that gets no answer fails after `COMMAND_TIMEOUT_MS`. Until the first
 * connection, commands wait for it (start-up checks it with `waitForRedis`). An outage is logged
 * once, and the recovery once; ioredis reconnects by itself.
 */
export function connectRedis(url: string, name: string, logger?: Logger): Redis {
  const redis = new (ioredis().Redis)(url, {
    connectionName: `food-fleet:${name}`,
    connectTimeout: 2000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  })
  // Before the first connection, start-up (`waitForRedis`) says what is wrong.
  let connected = false
  let down = false
  redis.on('error', (error: Error) => {
    if (connected && !down) {
      logger?.warn(
        { err: error, connection: name },
        'Redis unreachable: cached reads go to the database, rate limits count in this process',
      )
    }
    down = true
  })
  redis.on('ready', () => {
    connected = true
    redis.options.enableOfflineQueue = false
    if (down) logger?.info({ connection: name }, 'Redis reachable again')
    down = false
  })
  return redis
}

/** Start-up: resolves once Redis answers, or fails with a line naming REDIS_URL. */
export async function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  let lastError: unknown
  const onError = (error: unknown) => {
    lastError = error
  }
  redis.on('error', onError)
  try {
    await withDeadline(redis.ping(), timeoutMs, () => new Error('no answer'))
  } catch (error) {
    const cause = lastError ?? error
    const code = (cause as { code?: unknown }).code ?? (cause as Error).message
    throw new RedisUnreachableError(String(code))
  } finally {
    redis.off('error', onError)
  }
}

export class RedisUnreachableError extends Error {
  constructor(reason: string) {
    super(`Cannot reach Redis (${reason}): check REDIS_URL`)
    this.name = 'RedisUnreachableError'
  }
}

/**
 * A Lua script run by its SHA1 (EVALSHA): its text crosses a connection once, and again only if
 * Redis has lost it (ioredis answers NOSCRIPT by sending it with EVAL). `name` must be unique per
 * connection.
 */
export function redisScript(
  redis: Redis,
  name: string,
  lua: string,
): (keys: string[], args: string[]) => Promise<unknown> {
  redis.defineCommand(name, { lua })
  // defineCommand adds the method at run time; ioredis's types cannot name it.
  const run = Reflect.get(redis, name) as (...args: Array<string | number>) => Promise<unknown>
  return (keys, args) => run.call(redis, keys.length, ...keys, ...args)
}

export interface KeyChanges {
  /** Keys that changed (written, deleted, expired), or `null` for all of them (a flush). */
  changed(keys: string[] | null): void
  /** Whether changes are being reported: false while the connection is down, and until it is set up. */
  tracking(on: boolean): void
}

/**
 * Reports every change to keys under `prefix`, by any client, through Redis's client-side
 * caching (`CLIENT TRACKING … BCAST`). Its own connection redirects the invalidation messages to
 * itself over RESP2, where they arrive as pub/sub messages; it sets tracking up again after each
 * reconnection, and reports `tracking(false)` in between, since changes are lost meanwhile.
 */
export function trackKeys(
  redis: Redis,
  prefix: string,
  logger: Logger,
  { changed, tracking }: KeyChanges,
): { close(): void } {
  const connection = redis.duplicate({
    connectionName: `${redis.options.connectionName ?? 'food-fleet'}:tracking`,
    protocol: 2,
    autoResubscribe: false,
    enableAutoPipelining: false,
  })
  connection.on('messageBuffer', (_channel: Buffer, keys: Buffer[] | null) =>
    changed(keys === null ? null : keys.map(String)),
  )
  connection.on('close', () => tracking(false))
  // Reconnection attempts repeat the same error: it is reported once per outage.
  let failing = false
  connection.on('error', (error: Error) => {
    if (!failing) logger.warn({ err: error }, 'cache tracking connection failed')
    failing = true
  })
  connection.on('ready', async () => {
    failing = false
    try {
      const id = await connection.client('ID')
      await connection.call(
        'CLIENT',
        'TRACKING',
        'ON',
        'REDIRECT',
        String(id),
        'BCAST',
        'PREFIX',
        prefix,
      )
      await connection.subscribe('__redis__:invalidate')
      tracking(true)
    } catch (error) {
      // Redis before 6, or tracking refused: the process reads Redis every time, as without copies.
      logger.warn({ err: error }, 'cache tracking unavailable: no in-process copies')
    }
  })
  return {
    close() {
      tracking(false)
      connection.disconnect()
    },
  }
}
