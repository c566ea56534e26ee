import { describe, expect, it } from 'vitest'
import { concurrencyLimit, createPasswords } from './passwords.ts'

describe('concurrencyLimit', () => {
  it('runs at most its limit at once, the rest in order, and survives failures', async () => {
    const limited = concurrencyLimit(2)
    let running = 0
    let most = 0
    const order: number[] = []
    const task = (n: number) =>
      limited(async () => {
        running++
        most = Math.max(most, running)
        await new Promise((resolve) => setTimeout(resolve, 5))
        running--
        order.push(n)
        if (n === 1) throw new Error('task 1 fails')
        return n
      })
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(task))
    expect(most).toBe(2)
    expect(order.slice(0, 2).sort()).toEqual([1, 2])
    expect(order.slice(2)).toEqual([3, 4, 5])
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ])
  })
})

describe('passwords', () => {
  const passwords = createPasswords({ memoryCost: 1024, timeCost: 1, parallelism: 1 }, 1)

  it('verify what they hashed, one at a time, and refuse anything else', async () => {
    const stored = await passwords.hash('correct horse battery')
    const answers = await Promise.all([
      passwords.verify(stored, 'correct horse battery'),
      passwords.verify(stored, 'wrong'),
      passwords.verify('not a hash', 'correct horse battery'),
    ])
    expect(answers).toEqual([true, false, false])
    expect(passwords.needsRehash(stored)).toBe(false)
    expect(await passwords.verifyDummy('anything')).toBe(false)
  })
})
