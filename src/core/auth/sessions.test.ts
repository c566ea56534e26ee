import { describe, expect, it } from 'vitest'
import { createMemoryCache } from '../cache.ts'
import { createSessionLiveness } from './sessions.ts'

describe('session liveness', () => {
  it('asks the database once, then answers from the cache', async () => {
    let asked = 0
    const sessions = createSessionLiveness({
      cache: createMemoryCache(),
      isAlive: async () => {
        asked += 1
        return true
      },
      endedSeconds: 900,
    })
    expect(await sessions.check('s1')).toBe(true)
    expect(await sessions.check('s1')).toBe(true)
    expect(asked).toBe(1)
    await sessions.ended(['s1'])
    expect(await sessions.check('s1')).toBe(false)
    expect(asked).toBe(1)
  })

  it('never lets an answer read before a session ended bring it back', async () => {
    let answer: (alive: boolean) => void = () => {}
    const sessions = createSessionLiveness({
      cache: createMemoryCache(),
      isAlive: () => new Promise<boolean>((resolve) => (answer = resolve)),
      endedSeconds: 900,
    })
    const inFlight = sessions.check('s2')
    await sessions.ended(['s2'])
    answer(true)
    await inFlight
    expect(await sessions.check('s2')).toBe(false)
  })
})
