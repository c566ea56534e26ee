/** A field of a generated module, parsed from `name:type` on the command line. */
export type Field =
  | { name: string; kind: 'string'; max: number }
  | { name: string; kind: 'text' }
  | { name: string; kind: 'int' }
  | { name: string; kind: 'decimal'; precision: number; scale: number }
  | { name: string; kind: 'bool' }
  | { name: string; kind: 'datetime' }
  | { name: string; kind: 'ref'; table: string }

export const FIELD_HELP =
  'name:string:max | name:text | name:int | name:decimal:p:s | name:bool | name:datetime | name:ref:table (or string(max), decimal(p,s), ref(table) in quotes)'

const IDENTIFIER = /^[a-z][a-z0-9_]*$/

/** Field names the generated code already uses, or that clash with SQL and JavaScript. */
const RESERVED_FIELDS = new Set([
  'id',
  'created_at',
  'updated_at',
  'constructor',
  'prototype',
  '__proto__',
  'page',
  'size',
  'select',
  'from',
  'where',
  'order',
  'group',
  'user',
  'table',
  'default',
])

export function parseField(spec: string): Field {
  // `fee:decimal:10:2` needs no quoting in a shell; `fee:decimal(10,2)` is accepted too.
  const match = /^([a-z][a-z0-9_]*):([a-z]+)(?:\(([^)]*)\)|:([a-z0-9_:]+))?$/.exec(spec)
  if (!match) throw new Error(`Cannot read field "${spec}": expected ${FIELD_HELP}`)
  const [, name = '', kind, parenthesised, colonSeparated] = match
  const rawArgs = parenthesised ?? colonSeparated?.replaceAll(':', ',')
  if (!IDENTIFIER.test(name) || RESERVED_FIELDS.has(name) || name.length > 40) {
    throw new Error(`"${name}" cannot be a field name (reserved, or not snake_case)`)
  }
  const args = rawArgs === undefined ? [] : rawArgs.split(',').map((arg) => arg.trim())
  const integer = (value: string | undefined, min: number, max: number, what: string) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${name}: ${what} must be an integer from ${min} to ${max}`)
    }
    return n
  }
  switch (kind) {
    case 'string':
      return { name, kind, max: integer(args[0] ?? '255', 1, 10485760, 'string length') }
    case 'text':
    case 'int':
    case 'bool':
    case 'datetime':
      if (args.length > 0) throw new Error(`${name}: ${kind} takes no arguments`)
      return { name, kind }
    case 'decimal': {
      const precision = integer(args[0] ?? '10', 1, 15, 'decimal precision')
      const scale = integer(args[1] ?? '2', 0, precision, 'decimal scale')
      return { name, kind, precision, scale }
    }
    case 'ref': {
      const table = args[0] ?? ''
      if (!IDENTIFIER.test(table)) throw new Error(`${name}: ref needs a table, e.g. ref:products`)
      return { name, kind, table }
    }
    default:
      throw new Error(`${name}: unknown type "${kind}"; expected ${FIELD_HELP}`)
  }
}
