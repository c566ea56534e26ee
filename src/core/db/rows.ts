import { Column, is } from 'drizzle-orm'

/** What drizzle keeps on a prepared select (the same on node-postgres and PGlite). */
interface PreparedSelect {
  fields?: { path: string[]; field: unknown }[]
  joinsNotNullableMap?: Record<string, boolean>
  customResultMapper?: (rows: unknown[][]) => unknown
}

const identity = Column.prototype.mapFromDriverValue

/**
 * Makes a prepared select read its rows through a mapper built once for its columns. Drizzle maps
 * every cell through a generic walk (a type check, an iterator and a path lookup per cell), which
 * on a hot list costs more than PostgreSQL answering it; this builds the same objects as one
 * object literal per row, calling only the column decoders that change a value. For selects of
 * columns (nested one level, as `{ ...columns, category: categories }`) with inner joins only: an
 * outer join's missing row needs drizzle's own mapping.
 */
export function withCompiledRows<Query>(query: Query): Query {
  const prepared = query as PreparedSelect
  const { fields, joinsNotNullableMap = {} } = prepared
  if (!fields || Object.values(joinsNotNullableMap).includes(false)) {
    throw new Error('withCompiledRows takes a prepared select of columns with inner joins only')
  }
  const decoders: ((value: unknown) => unknown)[] = []
  const valueAt = (index: number, field: unknown): string => {
    if (!is(field, Column)) throw new Error('withCompiledRows takes a select of columns only')
    if (field.mapFromDriverValue === identity) return `row[${index}]`
    decoders.push(field.mapFromDriverValue.bind(field))
    return `(row[${index}] === null ? null : decoders[${decoders.length - 1}](row[${index}]))`
  }
  // Top-level members in select order; a nested object's members under its key.
  const members = new Map<string, string | string[]>()
  fields.forEach(({ path, field }, index) => {
    if (path.length > 2) throw new Error('withCompiledRows takes selects nested one level at most')
    const [key, nested] = path as [string, string?]
    const value = valueAt(index, field)
    const object = members.get(key) ?? []
    if (nested === undefined) members.set(key, value)
    else if (typeof object === 'string')
      throw new Error(`withCompiledRows: ${key} is selected twice`)
    else members.set(key, [...object, `${JSON.stringify(nested)}: ${value}`])
  })
  const literal = [...members]
    .map(([key, value]) =>
      typeof value === 'string'
        ? `${JSON.stringify(key)}: ${value}`
        : `${JSON.stringify(key)}: { ${value.join(', ')} }`,
    )
    .join(', ')
  const mapRow = new Function('decoders', `return (row) => ({ ${literal} })`)(decoders) as (
    row: unknown[],
  ) => unknown
  prepared.customResultMapper = (rows) => rows.map(mapRow)
  return query
}
