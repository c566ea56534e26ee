import { eq } from 'drizzle-orm'
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core'
import type { Database } from './database.ts'

/** A table with the integer `id` primary key every table has (`columns.ts`). */
type TableWithId = PgTable & { id: PgColumn }

/** Updates the row with this id; the row as it is now, or undefined when there is none. */
export async function updateById<Table extends TableWithId>(
  db: Database,
  table: Table,
  id: number,
  values: PgUpdateSetSource<Table>,
): Promise<Table['$inferSelect'] | undefined> {
  const rows = await db.update(table).set(values).where(eq(table.id, id)).returning()
  return (rows as Table['$inferSelect'][])[0]
}

/** Deletes the row with this id; whether there was one. */
export async function deleteById(db: Database, table: TableWithId, id: number): Promise<boolean> {
  const deleted = await db.delete(table).where(eq(table.id, id)).returning({ id: table.id })
  return deleted.length > 0
}
