import { index, integer, pgTable, varchar } from 'drizzle-orm/pg-core'
import { createdAt, id } from '../../core/db/columns.ts'
import { users } from '../users/users.models.ts'

/** An uploaded file's metadata; the bytes live in storage under `storage_key`. */
export const files = pgTable(
  'files',
  {
    id: id(),
    ownerId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The client's name, sanitised: metadata only, never a path. */
    originalName: varchar({ length: 255 }).notNull(),
    storageKey: varchar({ length: 64 }).notNull().unique('files_storage_key_key'),
    /** Decided from the content, not from what the client declared. */
    contentType: varchar({ length: 100 }).notNull(),
    size: integer().notNull(),
    sha256: varchar({ length: 64 }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('files_owner_id_id_idx').on(table.ownerId, table.id)],
)

export type FileRow = typeof files.$inferSelect
export type NewFile = typeof files.$inferInsert
