import type { Redis } from 'ioredis'
import { lazyRequire } from './lazy.ts'

export type { Redis }

/** ioredis, loaded only by a process with `REDIS_URL` (BullMQ loads the same copy). */
export const ioredis = lazyRequire<typeof import('ioredis')>('ioredis')

/**
 * A Redis connection for request-path work (cache, rate limits): commands fail fast while Redis
 * is unreachable instead of queueing forever, so a dead Redis degrades requests, never hangs them.
 */
export function connectRedis(url: string, name: string): Redis {
  return new (ioredis().Redis)(url, {
    connectionName: `food-fleet:${name}`,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  })
}
