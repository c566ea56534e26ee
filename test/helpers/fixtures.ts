import { randomUUID } from 'node:crypto'
import { getTableColumns } from 'drizzle-orm'
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core'
import type { Database } from '../../src/core/db/database.ts'

/**
 * Inserts a row with made-up values for every required column, creating the rows its foreign
 * keys point to first. Lets a generated module's tests reference any other module's records.
 */
export async function insertFixture(db: Database, table: PgTable): Promise<{ id: number }> {
  const config = getTableConfig(table)
  const values: Record<string, unknown> = {}
  const foreign = new Map<string, PgTable>()
  for (const fk of config.foreignKeys) {
    const reference = fk.reference()
    const [column] = reference.columns
    if (column) foreign.set(column.name, reference.foreignTable)
  }
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!column.notNull || column.hasDefault || column.primary) continue
    const referenced = foreign.get(column.name)
    if (referenced) {
      values[key] = (await insertFixture(db, referenced)).id
      continue
    }
    const length = (column as { length?: number }).length ?? 40
    switch (column.columnType) {
      case 'PgVarchar':
      case 'PgText':
        values[key] = `fx-${randomUUID()}`.slice(0, Math.max(1, length))
        break
      case 'PgNumeric':
        values[key] = '1'
        break
      case 'PgInteger':
        values[key] = 1
        break
      case 'PgBoolean':
        values[key] = false
        break
      case 'PgTimestamp':
        values[key] = new Date()
        break
      default:
        throw new Error(`insertFixture: no made-up value for ${column.columnType} (${column.name})`)
    }
  }
  const [row] = (await db.insert(table).values(values).returning()) as unknown as { id: number }[]
  return row as { id: number }
}
