import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../test/helpers/app.ts'
import { createRedisCache } from './cache.ts'
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './rate-limit.ts'
import { connectRedis } from './redis.ts'

const redisUrl = process.env.REDIS_URL
const redis = redisUrl ? connectRedis(redisUrl, 'rate-limit-test') : undefined
const prefix = `ff-test:${randomUUID()}:rate:`
afterAll(async () => {
  if (!redis) return
  await createRedisCache(redis, silentLogger, prefix).deleteByPrefix('')
  await redis.quit()
})

const kinds: [string, () => RateLimiter][] = [['memory', () => createMemoryRateLimiter()]]
if (redis) {
  kinds.push(['redis', () => createRedisRateLimiter(redis, `${prefix}${randomUUID()}:`)])
}

describe.each(kinds)('%s rate limiter', (_kind, create) => {
  it('allows up to the limit in a window, then says when to retry', async () => {
    const limiter = create()
    const hits = [{ key: 'ip:1', rule: { max: 3, windowMs: 60_000 } }]
    for (let i = 0; i < 3; i++) expect(await limiter.hit(hits)).toMatchObject({ allowed: true })
    const refused = await limiter.hit(hits)
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59)
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60)
  })

  it('stops at the first limit that refuses: the later ones are not counted', async () => {
    const limiter = create()
    const perIp = { max: 2, windowMs: 60_000 }
    const perAccount = { max: 3, windowMs: 60_000 }
    const both = [
      { key: 'ip:2', rule: perIp },
      { key: 'account:2', rule: perAccount },
    ]
    expect(await limiter.hit(both)).toMatchObject({ allowed: true })
    expect(await limiter.hit(both)).toMatchObject({ allowed: true })
    expect(await limiter.hit(both)).toMatchObject({ allowed: false })
    // Refused per IP, the account was counted twice, not three times: one hit is left.
    const account = [{ key: 'account:2', rule: perAccount }]
    expect(await limiter.hit(account)).toMatchObject({ allowed: true })
    expect(await limiter.hit(account)).toMatchObject({ allowed: false })
  })

  it('says when the window that refused frees up', async () => {
    const limiter = create()
    const hits = [
      { key: 'ip:3', rule: { max: 5, windowMs: 60_000 } },
      { key: 'account:3', rule: { max: 1, windowMs: 1_000 } },
    ]
    expect(await limiter.hit(hits)).toMatchObject({ allowed: true })
    expect(await limiter.hit(hits)).toEqual({ allowed: false, retryAfterSeconds: 1 })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect(await limiter.hit(hits)).toMatchObject({ allowed: true })
  })

  it('keeps keys apart', async () => {
    const limiter = create()
    const rule = { max: 1, windowMs: 60_000 }
    expect(await limiter.hit([{ key: 'a', rule }])).toMatchObject({ allowed: true })
    expect(await limiter.hit([{ key: 'b', rule }])).toMatchObject({ allowed: true })
    expect(await limiter.hit([{ key: 'a', rule }])).toMatchObject({ allowed: false })
  })
})
