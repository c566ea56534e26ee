import type { FastifyRequest } from 'fastify'
import { AppError } from './errors.ts'
import type { Logger } from './logger.ts'
import type { App } from './module.ts'
import { type Redis, redisScript } from './redis.ts'

export interface RateRule {
  max: number
  windowMs: number
}

const UNITS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
}

/** Parses the guide-style `5/minute` (also `second`, `hour`, `day`). */
export function parseRate(value: string): RateRule | undefined {
  const match = /^\s*(\d+)\s*\/\s*(second|minute|hour|day)s?\s*$/i.exec(value)
  if (!match) return undefined
  const max = Number(match[1])
  const windowMs = UNITS[(match[2] as string).toLowerCase()] as number
  return max > 0 ? { max, windowMs } : undefined
}

export interface RateHit {
  key: string
  rule: RateRule
}

export interface RateVerdict {
  allowed: boolean
  /** When the window that refused frees up (1 when allowed). */
  retryAfterSeconds: number
}

export interface RateLimiter {
  /**
   * Counts one hit on each key, in order, and stops at the first over its limit: the keys after
   * it are not counted (a request refused per IP does not use up the per-account allowance).
   */
  hit(hits: RateHit[]): Promise<RateVerdict>
}

const ALLOWED: RateVerdict = { allowed: true, retryAfterSeconds: 1 }
const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/** Fixed windows in memory: one process only. */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>()
  let nextSweep = 0
  return {
    async hit(hits) {
      const time = now()
      if (time >= nextSweep) {
        for (const [k, w] of windows) if (w.resetAt <= time) windows.delete(k)
        nextSweep = time + 60_000
      }
      for (const { key, rule } of hits) {
        let window = windows.get(key)
        if (!window || window.resetAt <= time) {
          window = { count: 0, resetAt: time + rule.windowMs }
          windows.set(key, window)
        }
        window.count++
        if (window.count > rule.max) {
          return { allowed: false, retryAfterSeconds: retryAfter(window.resetAt - time) }
        }
      }
      return ALLOWED
    },
  }
}

// For each key in order: INCR, give it its window if it has no expiry (a first hit), and stop
// at the first over its limit. Returns {0, 0} when all are allowed, else {position, milliseconds
// left}: one round trip for all of a route's limits, atomically.
const HIT_SCRIPT = `
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = window end
  if count > tonumber(ARGV[2 * i]) then return {i, ttl} end
end
return {0, 0}
`

/** Fixed windows in Redis: shared by every app process. */
export function createRedisRateLimiter(redis: Redis, namespace: string): RateLimiter {
  const hitScript = redisScript(redis, 'foodFleetRateHit', HIT_SCRIPT)
  return {
    async hit(hits) {
      const [refused, ttl] = (await hitScript(
        hits.map(({ key }) => namespace + key),
        hits.flatMap(({ rule }) => [String(rule.windowMs), String(rule.max)]),
      )) as [number, number]
      return refused === 0 ? ALLOWED : { allowed: false, retryAfterSeconds: retryAfter(ttl) }
    },
  }
}

/**
 * Redis's shared counts while Redis answers, this process's own while it does not: a lost Redis
 * neither fails nor stalls a rate-limited request (its commands fail at once or time out), and
 * limits still hold, per process. Each switch is logged once.
 */
export function createFallbackRateLimiter(
  redis: Redis,
  namespace: string,
  logger: Logger,
): RateLimiter {
  const shared = createRedisRateLimiter(redis, namespace)
  const local = createMemoryRateLimiter()
  let countingLocally = false
  const countLocally = (locally: boolean) => {
    if (locally === countingLocally) return
    countingLocally = locally
    if (locally) logger.warn('rate limits are counted in this process until Redis answers again')
    else logger.info('rate limits are shared through Redis again')
  }
  return {
    async hit(hits) {
      if (redis.status === 'ready') {
        try {
          const verdict = await shared.hit(hits)
          countLocally(false)
          return verdict
        } catch {
          // Counted locally below.
        }
      }
      countLocally(true)
      return local.hit(hits)
    },
  }
}

export interface RouteRateLimit {
  /** Names the counter, e.g. `login-ip`. */
  name: string
  rule: RateRule
  /** What is counted, e.g. the client IP, or IP + email. */
  key(request: FastifyRequest): string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimits?: RouteRateLimit[]
  }
}

const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(
    429,
    'rate_limited',
    `Too many requests; retry in ${retryAfterSeconds} s`,
    { retry_after: retryAfterSeconds },
    { 'retry-after': String(retryAfterSeconds) },
  )

/**
 * Routes list their limits in `config.rateLimits`; each such route gets its own `preHandler`
 * (after the body is parsed, so a limit may count per email), and other routes pay nothing.
 */
export function applyRateLimits(app: App, limiter: RateLimiter): void {
  app.addHook('onRoute', (route) => {
    const limits = route.config?.rateLimits
    if (!limits) return
    const check = async (request: FastifyRequest) => {
      const { allowed, retryAfterSeconds } = await limiter.hit(
        limits.map((limit) => ({ key: `${limit.name}:${limit.key(request)}`, rule: limit.rule })),
      )
      if (!allowed) throw tooManyRequests(retryAfterSeconds)
    }
    route.preHandler = [...[route.preHandler ?? []].flat(), check]
  })
}
