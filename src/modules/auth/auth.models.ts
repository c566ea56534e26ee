import { index, integer, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { createdAt, id } from '../../core/db/columns.ts'
import { users } from '../users/users.models.ts'

/** Refresh tokens are opaque; only their SHA-256 is stored. One family per login. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    tokenHash: varchar({ length: 64 }).notNull().unique('refresh_tokens_token_hash_key'),
    familyId: uuid().notNull(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    replacedBy: integer(),
    createdAt: createdAt(),
    userAgent: varchar({ length: 255 }),
    ip: varchar({ length: 45 }),
  },
  (table) => [
    index('refresh_tokens_family_id_idx').on(table.familyId),
    index('refresh_tokens_user_id_idx').on(table.userId),
    index('refresh_tokens_expires_at_idx').on(table.expiresAt),
  ],
)

export type RefreshTokenRow = typeof refreshTokens.$inferSelect
