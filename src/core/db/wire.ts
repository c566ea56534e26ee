import { getTableColumns, type Table } from 'drizzle-orm'

/** Never copied into a response, whichever table a record comes from. */
const SECRET_COLUMN = /password|hash|secret|token/i

/**
 * Any row as its wire shape: database column names (snake_case), times as ISO strings, `numeric`
 * as numbers, secret-looking columns left out. For records embedded generically (references of
 * generated modules); a module's own records are mapped field by field.
 */
export function rowToWire(table: Table, row: Record<string, unknown>): Record<string, unknown> {
  const wire: Record<string, unknown> = {}
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (SECRET_COLUMN.test(column.name)) continue
    const value = row[key]
    if (value instanceof Date) wire[column.name] = value.toISOString()
    else if (column.columnType === 'PgNumeric' && typeof value === 'string') {
      wire[column.name] = Number(value)
    } else wire[column.name] = value
  }
  return wire
}
