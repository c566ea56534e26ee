import { sql } from 'drizzle-orm'
import { boolean, index, integer, pgTable, uniqueIndex, varchar } from 'drizzle-orm/pg-core'
import { id, timestamps } from '../../core/db/columns.ts'
import { roles } from '../roles/roles.models.ts'

export const users = pgTable(
  'users',
  {
    id: id(),
    /** Stored lower-cased; unique case-insensitively. */
    email: varchar({ length: 254 }).notNull(),
    username: varchar({ length: 50 }).notNull(),
    passwordHash: varchar({ length: 255 }).notNull(),
    firstName: varchar({ length: 100 }),
    lastName: varchar({ length: 100 }),
    /** E.164, e.g. +14155550123 */
    phoneNumber: varchar({ length: 16 }),
    isActive: boolean().notNull().default(true),
    isSuperuser: boolean().notNull().default(false),
    // RESTRICT: a role still assigned to users cannot be deleted (answered 409).
    roleId: integer().references(() => roles.id, { onDelete: 'restrict' }),
    twoFactorEnabled: boolean().notNull().default(false),
    ...timestamps(),
  },
  (table) => [
    uniqueIndex('users_email_key').on(sql`lower(${table.email})`),
    uniqueIndex('users_username_key').on(sql`lower(${table.username})`),
    index('users_role_id_idx').on(table.roleId),
    index('users_created_at_id_idx').on(table.createdAt, table.id),
  ],
)

export type UserRow = typeof users.$inferSelect
