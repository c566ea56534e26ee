import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { jobHandlersOf } from '../../core/module.ts'
import { modules } from '../index.ts'
import { refreshTokens, verificationCodes } from './auth.models.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const minutes = (n: number) => new Date(Date.now() + n * 60_000)

describe('nightly cleanup (the guide’s cleanup_expired_tokens)', () => {
  it('removes exactly the expired refresh tokens and the expired or spent codes', async () => {
    const { id: userId } = await createUser(t)
    const { db } = t.deps.database
    await db.delete(refreshTokens)
    const token = (name: string, expiresAt: Date, revokedAt: Date | null = null) => ({
      tokenHash: `${name}-${randomUUID()}`.padEnd(64, '0').slice(0, 64),
      familyId: randomUUID(),
      userId,
      expiresAt,
      revokedAt,
    })
    const tokens = await db
      .insert(refreshTokens)
      .values([
        token('expired', minutes(-1)),
        token('expired-revoked', minutes(-60), minutes(-90)),
        token('live', minutes(60)),
        // Revoked but not yet expired: kept, so reuse of it is still detected.
        token('live-revoked', minutes(60), minutes(-1)),
      ])
      .returning({ id: refreshTokens.id })
    const code = (expiresAt: Date, usedAt: Date | null = null) => ({
      userId,
      purpose: 'password_reset' as const,
      codeHash: 'x'.repeat(64),
      expiresAt,
      usedAt,
    })
    const codes = await db
      .insert(verificationCodes)
      .values([code(minutes(-1)), code(minutes(10), minutes(-1)), code(minutes(10))])
      .returning({ id: verificationCodes.id })

    expect(await t.services.authService.cleanupExpired()).toEqual({ refreshTokens: 2, codes: 2 })

    const left = await db.select({ id: refreshTokens.id }).from(refreshTokens)
    expect(left.map((row) => row.id).sort()).toEqual([tokens[2]?.id, tokens[3]?.id].sort())
    const leftCodes = await db.select({ id: verificationCodes.id }).from(verificationCodes)
    expect(leftCodes.map((row) => row.id)).toEqual([codes[2]?.id])
  })

  it('runs daily at 02:00 UTC, as TOKEN_CLEANUP_CRON says', () => {
    const cleanup = jobHandlersOf(modules, t.services, t.context).find(
      (handler) => handler.type.name === 'auth.cleanup',
    )
    expect(cleanup?.schedule?.cron).toBe('0 2 * * *')
  })
})
