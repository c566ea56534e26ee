import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
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

export type CodePurpose = 'password_reset' | '2fa_setup' | '2fa_login'

/**
 * One-time 6-digit codes (password reset, 2FA). Only an HMAC of the code is stored, keyed with
 * the server secret: a copy of the table does not give the codes away, even though a million
 * candidates are few. A new code of a purpose supersedes the user's earlier ones.
 */
export const verificationCodes = pgTable(
  'verification_codes',
  {
    id: id(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: varchar({ length: 20 }).notNull().$type<CodePurpose>(),
    codeHash: varchar({ length: 64 }).notNull(),
    attempts: integer().notNull().default(0),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    index('verification_codes_user_id_purpose_idx').on(table.userId, table.purpose),
    index('verification_codes_expires_at_idx').on(table.expiresAt),
    check(
      'verification_codes_purpose_known',
      sql`${table.purpose} in ('password_reset', '2fa_setup', '2fa_login')`,
    ),
  ],
)

export type VerificationCodeRow = typeof verificationCodes.$inferSelect
