import { hash, verify } from '@node-rs/argon2'

/** argon2id cost. Defaults are OWASP's (m=19 MiB, t=2, p=1); tests use a cheap cost. */
export interface PasswordCost {
  memoryCost: number
  timeCost: number
  parallelism: number
}

export type Passwords = ReturnType<typeof createPasswords>

export function createPasswords(cost: PasswordCost) {
  const options = { ...cost, outputLen: 32 }
  let dummyHash: Promise<string> | undefined
  return {
    hash: (password: string) => hash(password, options),

    async verify(passwordHash: string, password: string): Promise<boolean> {
      try {
        return await verify(passwordHash, password)
      } catch {
        return false
      }
    },

    /** Spends the time of a real verification, so an unknown email cannot be told by timing. */
    async verifyDummy(password: string): Promise<false> {
      dummyHash ??= hash('timing-equaliser-for-unknown-accounts', options)
      await verify(await dummyHash, password).catch(() => false)
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
