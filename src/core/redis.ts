import { Redis } from 'ioredis'

export type { Redis }

/**
 * A Redis connection for request-path work (cache, rate limits): commands fail fast while Redis
 * is unreachable instead of queueing forever, so a dead Redis degrades requests, never hangs them.
 */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: `food-fleet:${name}`,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  })
}
