import type { FastifyRequest } from 'fastify'
import { AppError } from './errors.ts'
import type { App } from './module.ts'
import type { Redis } from './redis.ts'

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

export interface RateLimiter {
  /** Counts one hit on `key`; says whether it is allowed and when the window frees up. */
  hit(key: string, rule: RateRule): Promise<{ allowed: boolean; retryAfterSeconds: number }>
}

/** Fixed windows in memory: one process only. */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>()
  let nextSweep = 0
  return {
    async hit(key, rule) {
      const time = now()
      if (time >= nextSweep) {
        for (const [k, w] of windows) if (w.resetAt <= time) windows.delete(k)
        nextSweep = time + 60_000
      }
      let window = windows.get(key)
      if (!window || window.resetAt <= time) {
        window = { count: 0, resetAt: time + rule.windowMs }
        windows.set(key, window)
      }
      window.count++
      return {
        allowed: window.count <= rule.max,
        retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - time) / 1000)),
      }
    },
  }
}

// INCR and set the expiry on the first hit, atomically; returns the count and the time left.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`

/** Fixed windows in Redis: shared by every app process. */
export function createRedisRateLimiter(redis: Redis, namespace: string): RateLimiter {
  return {
    async hit(key, rule) {
      const [count, ttl] = (await redis.eval(
        HIT_SCRIPT,
        1,
        namespace + key,
        String(rule.windowMs),
      )) as [number, number]
      return { allowed: count <= rule.max, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) }
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
      for (const limit of limits) {
        const { allowed, retryAfterSeconds } = await limiter.hit(
          `${limit.name}:${limit.key(request)}`,
          limit.rule,
        )
        if (!allowed) throw tooManyRequests(retryAfterSeconds)
      }
    }
    route.preHandler = [...[route.preHandler ?? []].flat(), check]
  })
}
