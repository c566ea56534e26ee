import { and, eq, isNull, ne } from 'drizzle-orm'
import type { Database } from '../../core/db/database.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import { type RefreshTokenRow, refreshTokens } from './auth.models.ts'

function authQueries(db: Database) {
  return {
    async insert(values: typeof refreshTokens.$inferInsert): Promise<RefreshTokenRow> {
      const [row] = await db.insert(refreshTokens).values(values).returning()
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

    /** Every live token of a user, except those of one session (the caller's own). */
    async revokeUserSessions(userId: number, at: Date, keepFamilyId?: string): Promise<void> {
      await db
        .update(refreshTokens)
        .set({ revokedAt: at })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            isNull(refreshTokens.revokedAt),
            keepFamilyId ? ne(refreshTokens.familyId, keepFamilyId) : undefined,
          ),
        )
    },
  }
}

export function createAuthRepository(db: Database) {
  return repositoryOf(db, authQueries)
}

export type AuthRepository = ReturnType<typeof createAuthRepository>
