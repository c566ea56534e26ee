import { and, count, desc, eq, type SQL } from 'drizzle-orm'
import type { Database } from '../../core/db/database.ts'
import { pageWithTotal } from '../../core/db/pages.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import { type FileRow, files, type NewFile } from './files.models.ts'

function filesQueries(db: Database) {
  return {
    async insertFiles(values: NewFile[]): Promise<FileRow[]> {
      return db.insert(files).values(values).returning()
    },

    /** A file, only if `ownerId` owns it (undefined `ownerId`: any owner). */
    async findFile(id: number, ownerId?: number): Promise<FileRow | undefined> {
      const [row] = await db
        .select()
        .from(files)
        .where(visible(eq(files.id, id), ownerId))
      return row
    },

    async deleteFile(id: number, ownerId?: number): Promise<FileRow | undefined> {
      const [row] = await db
        .delete(files)
        .where(visible(eq(files.id, id), ownerId))
        .returning()
      return row
    },

    /** Newest first, with the total. */
    async pageFiles(offset: number, limit: number, ownerId?: number) {
      const where = visible(undefined, ownerId)
      return pageWithTotal(
        db.select().from(files).where(where).orderBy(desc(files.id)).limit(limit).offset(offset),
        db.select({ total: count() }).from(files).where(where),
      )
    },
  }
}

function visible(condition: SQL | undefined, ownerId: number | undefined) {
  return ownerId === undefined ? condition : and(condition, eq(files.ownerId, ownerId))
}

export function createFilesRepository(db: Database) {
  return repositoryOf(db, filesQueries)
}

export type FilesRepository = ReturnType<typeof createFilesRepository>
