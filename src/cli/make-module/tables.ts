import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { getTableColumns, getTableName, is } from 'drizzle-orm'
import { type PgColumn, PgTable } from 'drizzle-orm/pg-core'

/** How one column of a referenced table is written in the generated code. */
export interface ReferencedColumn {
  /** The row's property, e.g. `isActive` */
  key: string
  /** The wire name, e.g. `is_active` */
  wire: string
  /** Its TypeBox schema, as code */
  schema: string
  /** Its wire value, as code, from the row's value `value` */
  toWire: (value: string) => string
  /** Whether `toWire` calls core/money.ts's `fromNumeric` */
  numeric: boolean
}

export interface FoundTable {
  /** The module folder whose models file defines it */
  module: string
  /** The constant the models file exports it as */
  tableConst: string
  /** The columns a referencing module embeds, in table order: secrets left out */
  columns: ReferencedColumn[]
}

/**
 * Left out of an embedded record when the generator writes its columns: a generated module
 * should not copy another's password hash or token into its responses. The generated code
 * lists the columns it embeds, so the choice is there to read and change.
 */
const SECRET_COLUMN = /password|hash|secret|token/i

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

const nullable = (column: PgColumn, schema: string) =>
  column.notNull ? schema : `Type.Union([${schema}, Type.Null()])`

/** The embedded form of a column, or undefined for a type the generator does not embed. */
function embed(key: string, column: PgColumn): ReferencedColumn | undefined {
  const wire = column.keyAsName ? snake(key) : column.name
  const orNull = (code: (value: string) => string) => (value: string) =>
    column.notNull ? code(value) : `${value} === null ? null : ${code(value)}`
  const plain = (schema: string): ReferencedColumn => ({
    key,
    wire,
    schema: nullable(column, schema),
    toWire: (value) => value,
    numeric: false,
  })
  switch (column.columnType) {
    case 'PgInteger':
    case 'PgSerial':
    case 'PgSmallInt':
    case 'PgSmallSerial':
    case 'PgBigInt53':
    case 'PgBigSerial53':
      return plain('Type.Integer()')
    case 'PgVarchar':
    case 'PgText':
    case 'PgChar':
    case 'PgUUID':
    case 'PgEnumColumn':
    case 'PgTimestampString':
    case 'PgDateString':
      return plain('Type.String()')
    case 'PgBoolean':
      return plain('Type.Boolean()')
    case 'PgNumeric':
      return {
        key,
        wire,
        schema: nullable(column, 'Type.Number()'),
        toWire: orNull((value) => `fromNumeric(${value})`),
        numeric: true,
      }
    case 'PgTimestamp':
      return {
        key,
        wire,
        schema: nullable(column, "Type.String({ format: 'date-time' })"),
        toWire: orNull((value) => `${value}.toISOString()`),
        numeric: false,
      }
    default:
      return undefined
  }
}

/**
 * Which module defines a table, read from the modules' tables themselves (each
 * `<module>.models.ts`, imported), with the columns a reference to it embeds.
 */
export async function findTable(modulesDir: string, table: string): Promise<FoundTable> {
  for (const module of readdirSync(modulesDir)) {
    if (!existsSync(join(modulesDir, module, `${module}.models.ts`))) continue
    const models: Record<string, unknown> = await import(
      `../../modules/${module}/${module}.models.ts`
    )
    for (const [tableConst, value] of Object.entries(models)) {
      if (!is(value, PgTable) || getTableName(value) !== table) continue
      const columns = Object.entries(getTableColumns(value))
        .filter(([, column]) => !SECRET_COLUMN.test(column.name))
        .flatMap(([key, column]) => embed(key, column) ?? [])
      return { module, tableConst, columns }
    }
  }
  throw new Error(`ref(${table}): no module defines a table named "${table}"`)
}
