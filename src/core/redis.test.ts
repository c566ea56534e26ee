import { afterAll, describe, expect, it, vi } from 'vitest'
import { servicesSet } from '../../test/helpers/process.ts'
import { connectRedis, redisScript } from './redis.ts'

const redisUrl = process.env.REDIS_URL
const redis = redisUrl ? connectRedis(redisUrl, 'script-test') : undefined
afterAll(async () => {
  await redis?.quit()
})

describe.runIf(servicesSet('redisScript', 'REDIS_URL') && redis)('redisScript', () => {
  it('sends the text once per connection, then its SHA1, and the text again after Redis loses it', async () => {
    if (!redis) return
    await redis.ping()
    const { localPort } = redis.stream
    const monitor = await redis
      .duplicate({ connectionName: 'food-fleet:script-test:monitor' })
      .monitor()
    const sent: string[] = []
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source.endsWith(`:${localPort}`)) sent.push(String(args[0]).toLowerCase())
    })
    const script = redisScript(redis, 'foodFleetTestEcho', 'return {KEYS[1], ARGV[1], #KEYS}')

    expect(await script(['k1'], ['a'])).toEqual(['k1', 'a', 1])
    expect(await script(['k2', 'k3'], ['b'])).toEqual(['k2', 'b', 2])
    await redis.script('FLUSH')
    expect(await script(['k4'], ['c'])).toEqual(['k4', 'c', 1])
    await redis.ping()

    await vi.waitFor(() => expect(sent.at(-1)).toBe('ping'))
    expect(sent).toEqual(['eval', 'evalsha', 'script', 'evalsha', 'eval', 'ping'])
    monitor.disconnect()
  })
})
