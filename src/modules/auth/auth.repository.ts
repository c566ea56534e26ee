import { and, desc, eq, gt, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm'
import { placeholders } from '../../core/db/columns.ts'
import type { Database } from '../../core/db/database.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import {
  type CodePurpose,
  type RefreshTokenRow,
  refreshTokens,
  type VerificationCodeRow,
  verificationCodes,
} from './auth.models.ts'

/** A new refresh token: every column a session sets. */
export type NewRefreshToken = Required<
  Pick<typeof refreshTokens.$inferInsert, 'tokenHash' | 'familyId' | 'userId' | 'expiresAt'>
> & { userAgent: string | null; ip: string | null }

function authQueries(db: Database) {
  // Every login and refresh inserts one: built once.
  const insertToken = db
    .insert(refreshTokens)
    .values(placeholders('tokenHash', 'familyId', 'userId', 'expiresAt', 'userAgent', 'ip'))
    .returning()
    .prepare('refresh_tokens_insert')
  const liveToken = db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(
      and(
        eq(refreshTokens.familyId, sql.placeholder('familyId')),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, sql.placeholder('now')),
      ),
    )
    .limit(1)
    .prepare('refresh_tokens_live')
  return {
    async insert(values: NewRefreshToken): Promise<RefreshTokenRow> {
      const [row] = await insertToken.execute(values)
      return row as RefreshTokenRow
    },

    /** Locks the row: of two concurrent refreshes with one token, the second waits, then sees it rotated. */
    async findByHashForUpdate(tokenHash: string): Promise<RefreshTokenRow | undefined> {
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for('update')
      return row
    },

    async findByHash(tokenHash: string): Promise<RefreshTokenRow | undefined> {
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash))
      return row
    },

    async markRotated(id: number, replacedBy: number, at: Date): Promise<void> {
      await db
        .update(refreshTokens)
        .set({ revokedAt: at, replacedBy })
        .where(eq(refreshTokens.id, id))
    },

    async revokeFamily(familyId: string, at: Date): Promise<void> {
      await db
        .update(refreshTokens)
        .set({ revokedAt: at })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    },

    /** Ends every live session of a user but one (the caller's own); returns the sessions ended. */
    async revokeUserSessions(userId: number, at: Date, keepFamilyId?: string): Promise<string[]> {
      const revoked = await db
        .update(refreshTokens)
        .set({ revokedAt: at })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            isNull(refreshTokens.revokedAt),
            keepFamilyId ? ne(refreshTokens.familyId, keepFamilyId) : undefined,
          ),
        )
        .returning({ familyId: refreshTokens.familyId })
      return revoked.map((row) => row.familyId)
    },

    /** A session is alive while its latest refresh token is neither revoked nor expired. */
    async isSessionAlive(familyId: string, now: Date): Promise<boolean> {
      const [row] = await liveToken.execute({ familyId, now })
      return row !== undefined
    },

    /** Issues a code, superseding the user's earlier live codes of the same purpose. */
    async replaceCode(values: typeof verificationCodes.$inferInsert): Promise<void> {
      await db
        .update(verificationCodes)
        .set({ usedAt: values.createdAt ?? new Date() })
        .where(
          and(
            eq(verificationCodes.userId, values.userId),
            eq(verificationCodes.purpose, values.purpose),
            isNull(verificationCodes.usedAt),
          ),
        )
      await db.insert(verificationCodes).values(values)
    },

    /** The user's live code of a purpose: unused and unexpired. */
    async liveCode(
      userId: number,
      purpose: CodePurpose,
      now: Date,
    ): Promise<VerificationCodeRow | undefined> {
      const [row] = await db
        .select()
        .from(verificationCodes)
        .where(
          and(
            eq(verificationCodes.userId, userId),
            eq(verificationCodes.purpose, purpose),
            isNull(verificationCodes.usedAt),
            gt(verificationCodes.expiresAt, now),
          ),
        )
        .orderBy(desc(verificationCodes.id))
        .limit(1)
      return row
    },

    async countCodeAttempt(id: number): Promise<void> {
      await db
        .update(verificationCodes)
        .set({ attempts: sql`${verificationCodes.attempts} + 1` })
        .where(eq(verificationCodes.id, id))
    },

    /** Spends a code; false when a concurrent request spent it first. */
    async useCode(id: number, at: Date): Promise<boolean> {
      const used = await db
        .update(verificationCodes)
        .set({ usedAt: at })
        .where(and(eq(verificationCodes.id, id), isNull(verificationCodes.usedAt)))
        .returning({ id: verificationCodes.id })
      return used.length > 0
    },

    /** The nightly cleanup: expired refresh tokens, and codes expired or spent. */
    async deleteExpired(now: Date): Promise<{ refreshTokens: number; codes: number }> {
      const tokens = await db
        .delete(refreshTokens)
        .where(lt(refreshTokens.expiresAt, now))
        .returning({ id: refreshTokens.id })
      const codes = await db
        .delete(verificationCodes)
        .where(or(lt(verificationCodes.expiresAt, now), isNotNull(verificationCodes.usedAt)))
        .returning({ id: verificationCodes.id })
      return { refreshTokens: tokens.length, codes: codes.length }
    },
  }
}

export function createAuthRepository(db: Database) {
  return repositoryOf(db, authQueries)
}

export type AuthRepository = ReturnType<typeof createAuthRepository>
