import { availableParallelism } from 'node:os'
import { hash, verify } from '@node-rs/argon2'

/** argon2id cost. Defaults are OWASP's (m=19 MiB, t=2, p=1); tests use a cheap cost. */
export interface PasswordCost {
  memoryCost: number
  timeCost: number
  parallelism: number
}

export type Passwords = ReturnType<typeof createPasswords>

/**
 * Runs at most `limit` tasks at once, the rest wait in order. Argon2 runs on libuv's thread
 * pool (4 threads): more hashes at once than there are cores only makes each slower (they
 * share the cores and thrash the cache with 19 MiB each) and leaves no thread for file I/O.
 */
export function concurrencyLimit(limit: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    else running++
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}

export function createPasswords(cost: PasswordCost, maxConcurrent = availableParallelism()) {
  const options = { ...cost, outputLen: 32 }
  const limited = concurrencyLimit(maxConcurrent)
  let dummyHash: Promise<string> | undefined
  const verifyHash = (passwordHash: string, password: string) =>
    limited(() => verify(passwordHash, password)).catch(() => false)
  return {
    hash: (password: string) => limited(() => hash(password, options)),

    verify: verifyHash,

    /** Spends the time of a real verification, so an unknown email cannot be told by timing. */
    async verifyDummy(password: string): Promise<false> {
      dummyHash ??= hash('timing-equaliser-for-unknown-accounts', options)
      await verifyHash(await dummyHash, password)
      return false
    },

    /** True when the hash was made with other parameters than the configured ones. */
    needsRehash(passwordHash: string): boolean {
      const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash)
      if (!match) return true
      const [, m, t, p] = match.map(Number)
      return m !== cost.memoryCost || t !== cost.timeCost || p !== cost.parallelism
    },
  }
}
