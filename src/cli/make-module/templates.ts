import type { Field } from './fields.ts'
import { camel, type Names, upperFirst } from './names.ts'
import type { ReferencedColumn } from './tables.ts'

/** A reference resolved to the table constant and models file that define it. */
export interface Reference {
  field: Extract<Field, { kind: 'ref' }>
  tableConst: string
  /** Import path from the generated module's folder, e.g. `../products/products.models.ts` */
  importPath: string
  /** The referenced record's columns, embedded in the wire shape */
  columns: ReferencedColumn[]
}

export interface ModuleSpec {
  names: Names
  fields: Field[]
  references: Reference[]
}

export const prop = (field: Field) =>
  field.kind === 'ref' ? `${camel(field.name)}Id` : camel(field.name)
export const wireKey = (field: Field) => (field.kind === 'ref' ? `${field.name}_id` : field.name)
const refAlias = (field: Field) => `${camel(field.name)}Ref`
export const decimalMax = (field: Extract<Field, { kind: 'decimal' }>) =>
  Number((10 ** (field.precision - field.scale) - 10 ** -field.scale).toFixed(field.scale))

function column(field: Field, spec: ModuleSpec): string {
  switch (field.kind) {
    case 'string':
      return `varchar({ length: ${field.max} }).notNull()`
    case 'text':
      return 'text().notNull()'
    case 'int':
      return 'integer().notNull()'
    case 'decimal':
      return `numeric({ precision: ${field.precision}, scale: ${field.scale} }).notNull()`
    case 'bool':
      return 'boolean().notNull()'
    case 'datetime':
      return "timestamp({ withTimezone: true, mode: 'date' }).notNull()"
    case 'ref': {
      const reference = spec.references.find((r) => r.field === field) as Reference
      return `integer().notNull().references(() => ${reference.tableConst}.id, { onDelete: 'cascade' })`
    }
  }
}

export function modelsFile(spec: ModuleSpec): string {
  const { names, fields, references } = spec
  const pgImports = new Set(['pgTable'])
  for (const field of fields) {
    const kind = {
      string: 'varchar',
      text: 'text',
      int: 'integer',
      decimal: 'numeric',
      bool: 'boolean',
      datetime: 'timestamp',
      ref: 'integer',
    }[field.kind]
    pgImports.add(kind)
  }
  if (references.length > 0) pgImports.add('index')
  const refImports = references.map((r) => `import { ${r.tableConst} } from '${r.importPath}'`)
  const indexes = references.map(
    (r) => `index('${names.module}_${r.field.name}_id_idx').on(table.${prop(r.field)})`,
  )
  return `import { ${[...pgImports].sort().join(', ')} } from 'drizzle-orm/pg-core'
import { id, timestamps } from '../../core/db/columns.ts'
${refImports.join('\n')}

export const ${names.camel} = pgTable(
  '${names.module}',
  {
    id: id(),
${fields.map((f) => `    ${prop(f)}: ${column(f, spec)},`).join('\n')}
    ...timestamps(),
  },${indexes.length > 0 ? `\n  (table) => [${indexes.join(', ')}],` : ''}
)

export type ${names.entity}Row = typeof ${names.camel}.$inferSelect
`
}

function wireSchema(field: Field): string {
  switch (field.kind) {
    case 'string':
    case 'text':
      return 'Type.String()'
    case 'int':
      return 'Type.Integer()'
    case 'decimal':
      return 'Type.Number()'
    case 'bool':
      return 'Type.Boolean()'
    case 'datetime':
      return "Type.String({ format: 'date-time' })"
    case 'ref':
      return 'Type.Integer()'
  }
}

function inputSchema(field: Field): string {
  switch (field.kind) {
    case 'string':
      return `Type.String({ maxLength: ${field.max} })`
    case 'text':
      return 'Type.String({ maxLength: 100000 })'
    case 'int':
      return 'Type.Integer({ minimum: -2147483648, maximum: 2147483647 })'
    case 'decimal': {
      const max = decimalMax(field)
      return `Type.Number({ minimum: ${-max}, maximum: ${max}, description: 'At most ${field.scale} decimals' })`
    }
    case 'bool':
      return 'Type.Boolean()'
    case 'datetime':
      return "Type.String({ format: 'date-time' })"
    case 'ref':
      return 'Id'
  }
}

export function schemasFile({ names, fields, references }: ModuleSpec): string {
  const wire = fields.map((f) => `  ${wireKey(f)}: ${wireSchema(f)},`)
  const embedded = references.map(
    (r) =>
      `  ${r.field.name}: Type.Object({ ${r.columns.map((c) => `${c.wire}: ${c.schema}`).join(', ')} }, { description: 'The referenced record' }),`,
  )
  const input = (optional: boolean) =>
    fields
      .map(
        (f) =>
          `    ${wireKey(f)}: ${optional ? `Type.Optional(${inputSchema(f)})` : inputSchema(f)},`,
      )
      .join('\n')
  const filters = references.map(
    (r) =>
      `  ${r.field.name}_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Only those of this ${r.field.name.replaceAll('_', ' ')}' })),`,
  )
  return `import { type Static, Type } from 'typebox'
import { PageQuery } from '../../core/pagination.ts'
${references.length > 0 ? '\nconst Id = Type.Integer({ minimum: 1, maximum: 2147483647 })\n' : ''}
export const ${names.entity} = Type.Object(
  {
    id: Type.Integer(),
${[...wire, ...embedded].map((line) => `  ${line}`).join('\n')}
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: '${names.entity}' },
)

export const ${names.entity}Create = Type.Object(
  {
${input(false)}
  },
  { title: '${names.entity}Create', additionalProperties: false },
)

export const ${names.entity}Update = Type.Object(
  {
${input(true)}
  },
  { title: '${names.entity}Update', additionalProperties: false },
)

export const ${names.pascal}Query = Type.Object({
  ...PageQuery.properties,
${filters.join('\n')}
})

export type ${names.entity} = Static<typeof ${names.entity}>
export type ${names.entity}Create = Static<typeof ${names.entity}Create>
export type ${names.entity}Update = Static<typeof ${names.entity}Update>
`
}

export function errorsFile({ names, fields }: ModuleSpec): string {
  const hasDecimal = fields.some((f) => f.kind === 'decimal')
  const hasRef = fields.some((f) => f.kind === 'ref')
  return `import { defineError } from '../../core/errors.ts'

export const ${names.entityCamel}NotFound = defineError(404, 'not_found', (${names.entityCamel}Id: number) => ({
  detail: \`${names.entity} with ID \${${names.entityCamel}Id} not found\`,
  ${names.entityCamel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_id: ${names.entityCamel}Id,
}))
${
  hasDecimal
    ? `
export const tooManyDecimals = defineError(422, 'validation_failed', (field: string, scale: number) => ({
  detail: \`\${field} must have at most \${scale} decimals\`,
  errors: [{ field, message: \`must have at most \${scale} decimals\` }],
}))
`
    : ''
}${
  hasRef
    ? `
export const unknownReference = defineError(422, 'validation_failed', () => ({
  detail: 'A referenced record does not exist',
  errors: [{ field: '(reference)', message: 'no such record' }],
}))
`
    : ''
}`
}

export function repositoryFile({ names, references }: ModuleSpec): string {
  const refImports = references.map((r) => `import { ${r.tableConst} } from '${r.importPath}'`)
  const aliases = references.map(
    (r) => `const ${refAlias(r.field)} = alias(${r.tableConst}, '${r.field.name}_ref')`,
  )
  const selectFields = [
    `row: ${names.camel}`,
    ...references.map((r) => `${r.field.name}: ${refAlias(r.field)}`),
  ]
  const joins = references
    .map(
      (r) =>
        `\n    .innerJoin(${refAlias(r.field)}, eq(${refAlias(r.field)}.id, ${names.camel}.${prop(r.field)}))`,
    )
    .join('')
  const recordType = [
    `${names.entity}Row`,
    ...references.map((r) => `{ ${r.field.name}: typeof ${r.tableConst}.$inferSelect }`),
  ].join(' & ')
  const flatten =
    references.length === 0
      ? `({ row }: { row: ${names.entity}Row }): ${names.entity}Record => row`
      : `({ row, ...references }: { row: ${names.entity}Row } & Omit<${names.entity}Record, keyof ${names.entity}Row>): ${names.entity}Record => ({ ...row, ...references })`
  const filterType = references.map((r) => `${prop(r.field)}?: number`).join('; ')
  const conditions = references.map(
    (r) =>
      `filters.${prop(r.field)} === undefined ? undefined : eq(${names.camel}.${prop(r.field)}, filters.${prop(r.field)})`,
  )
  return `import { ${filterType ? 'and, ' : ''}asc, count, eq } from 'drizzle-orm'
${references.length > 0 ? "import { alias } from 'drizzle-orm/pg-core'\n" : ''}import { deleteById } from '../../core/db/by-id.ts'
import type { Database } from '../../core/db/database.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
${refImports.join('\n')}
import { type ${names.entity}Row, ${names.camel} } from './${names.module}.models.ts'

${aliases.join('\n')}

/** A ${names.label} with the records it references, joined in the same query. */
export type ${names.entity}Record = ${recordType}
export type New${names.entity} = typeof ${names.camel}.$inferInsert
${
  filterType
    ? `export interface ${names.pascal}Filters { ${filterType} }`
    : `/** None yet: a filter is a column's condition here and a query parameter in the schemas. */
export type ${names.pascal}Filters = Record<string, never>`
}

const flatten = ${flatten}

function ${names.camel}Queries(db: Database) {
  const selectWithReferences = () =>
    db.select({ ${selectFields.join(', ')} }).from(${names.camel})${joins}

  return {
    async findById(id: number): Promise<${names.entity}Record | undefined> {
      const [row] = await selectWithReferences().where(eq(${names.camel}.id, id))
      return row && flatten(row)
    },

    /** One page and the total. */
    async page(offset: number, limit: number, ${filterType ? 'filters' : '_filters'}: ${names.pascal}Filters) {
      const where = ${filterType ? `and(${conditions.join(', ')})` : 'undefined'}
      const rows = await selectWithReferences()
        .where(where)
        .orderBy(asc(${names.camel}.id))
        .limit(limit)
        .offset(offset)
      const [counted] = await db.select({ total: count() }).from(${names.camel}).where(where)
      return { items: rows.map(flatten), total: counted?.total ?? 0 }
    },

    async insert(values: New${names.entity}): Promise<number> {
      const [row] = await db.insert(${names.camel}).values(values).returning({ id: ${names.camel}.id })
      return (row as { id: number }).id
    },

    async update(id: number, values: Partial<New${names.entity}>): Promise<boolean> {
      const rows = await db.update(${names.camel}).set(values).where(eq(${names.camel}.id, id)).returning({ id: ${names.camel}.id })
      return rows.length > 0
    },

    delete: (id: number) => deleteById(db, ${names.camel}, id),
  }
}

export function create${names.pascal}Repository(db: Database) {
  return repositoryOf(db, ${names.camel}Queries)
}

export type ${names.pascal}Repository = ReturnType<typeof create${names.pascal}Repository>
`
}

function toWire(field: Field): string {
  const value = `record.${prop(field)}`
  switch (field.kind) {
    case 'decimal':
      return `fromNumeric(${value})`
    case 'datetime':
      return `${value}.toISOString()`
    default:
      return value
  }
}

function toColumn(field: Field): string {
  const value = `input.${wireKey(field)}`
  switch (field.kind) {
    case 'decimal':
      return `${value} === undefined ? undefined : toNumeric(${value}, ${field.scale})`
    case 'datetime':
      return `${value} === undefined ? undefined : new Date(${value})`
    default:
      return value
  }
}

export function serviceFile({ names, fields, references }: ModuleSpec): string {
  const decimals = fields.filter((f) => f.kind === 'decimal')
  const errorImports = [
    `${names.entityCamel}NotFound`,
    ...(decimals.length > 0 ? ['tooManyDecimals'] : []),
    ...(references.length > 0 ? ['unknownReference'] : []),
  ]
  const embedsNumeric = references.some((r) => r.columns.some((c) => c.numeric))
  const moneyImports =
    decimals.length > 0
      ? ['fromNumeric', 'hasAtMostDecimals', 'toNumeric']
      : embedsNumeric
        ? ['fromNumeric']
        : []
  const mapping = [
    ...fields.map((f) => `  ${wireKey(f)}: ${toWire(f)},`),
    ...references.map(
      (r) =>
        `  ${r.field.name}: { ${r.columns.map((c) => `${c.wire}: ${c.toWire(`record.${r.field.name}.${c.key}`)}`).join(', ')} },`,
    ),
  ]
  const decimalChecks = decimals.map(
    (f) =>
      `    if (input.${f.name} !== undefined && !hasAtMostDecimals(input.${f.name}, ${f.scale})) {\n      throw tooManyDecimals('${f.name}', ${f.scale})\n    }`,
  )
  const translate =
    references.length > 0
      ? `
  /** A reference to a record that does not exist is the client's mistake (422). */
  function translateWriteError(error: unknown): unknown {
    return databaseErrorCode(error) === '23503' ? unknownReference() : error
  }
`
      : `
  const translateWriteError = (error: unknown): unknown => error
`
  return `${references.length > 0 ? "import { databaseErrorCode } from '../../core/db/errors.ts'\n" : ''}${moneyImports.length > 0 ? `import { ${moneyImports.join(', ')} } from '../../core/money.ts'\n` : ''}import { offsetOf, type PageOf, pageOf } from '../../core/pagination.ts'
import { ${errorImports.join(', ')} } from './${names.module}.errors.ts'
import type { ${names.entity}Record, ${names.pascal}Filters, ${names.pascal}Repository, New${names.entity} } from './${names.module}.repository.ts'
import type { ${names.entity}, ${names.entity}Create, ${names.entity}Update } from './${names.module}.schemas.ts'

const to${names.entity} = (record: ${names.entity}Record): ${names.entity} => ({
  id: record.id,
${mapping.join('\n')}
  created_at: record.createdAt.toISOString(),
  updated_at: record.updatedAt.toISOString(),
})

/** Business rules of ${names.module}: edit here. */
export function create${names.pascal}Service({
  ${names.camel}Repository,
}: {
  ${names.camel}Repository: ${names.pascal}Repository
}) {
  function columns(input: ${names.entity}Update): Partial<New${names.entity}> {
${decimalChecks.join('\n')}
    return {
${fields.map((f) => `      ${prop(f)}: ${toColumn(f)},`).join('\n')}
    }
  }
${translate}
  async function get(id: number): Promise<${names.entity}> {
    const record = await ${names.camel}Repository.findById(id)
    if (!record) throw ${names.entityCamel}NotFound(id)
    return to${names.entity}(record)
  }

  return {
    get,

    async list(page: number, size: number, filters: ${names.pascal}Filters): Promise<PageOf<${names.entity}>> {
      const result = await ${names.camel}Repository.page(offsetOf(page, size), size, filters)
      return pageOf(result.items.map(to${names.entity}), result.total, page, size)
    },

    async create(input: ${names.entity}Create): Promise<${names.entity}> {
      try {
        return await get(await ${names.camel}Repository.insert(columns(input) as New${names.entity}))
      } catch (error) {
        throw translateWriteError(error)
      }
    },

    /** Partial: only the fields sent change. */
    async update(id: number, input: ${names.entity}Update): Promise<${names.entity}> {
      const changes = columns(input)
      if (Object.values(changes).some((value) => value !== undefined)) {
        try {
          if (!(await ${names.camel}Repository.update(id, changes))) throw ${names.entityCamel}NotFound(id)
        } catch (error) {
          throw translateWriteError(error)
        }
      }
      return get(id)
    },

    async delete(id: number): Promise<void> {
      if (!(await ${names.camel}Repository.delete(id))) throw ${names.entityCamel}NotFound(id)
    },
  }
}

export type ${names.pascal}Service = ReturnType<typeof create${names.pascal}Service>
`
}

export function routesFile({ names, references }: ModuleSpec): string {
  const filterArgs = references
    .map((r) => `${prop(r.field)}: request.query.${r.field.name}_id`)
    .join(', ')
  const route = (
    method: string,
    path: string,
    action: string,
    [operationId, summary, description]: [string, string, string],
    schema: string,
    handler: string,
  ) => `
  app.${method}(
    \`\${base}${path}\`,
    {
      config: requirePermission('${names.module}', '${action}'),
      schema: {
        operationId: '${operationId}',
        summary: '${summary}',
        description: '${description}',
        ${schema}
      },
    },
    ${handler},
  )
`
  return `import { Type } from 'typebox'
import { requirePermission } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { Page } from '../../core/pagination.ts'
import { IdParams, problemResponses } from '../../core/schemas.ts'
import { ${names.entity}, ${names.entity}Create, ${names.entity}Update, ${names.pascal}Query } from './${names.module}.schemas.ts'
import type { ${names.pascal}Service } from './${names.module}.service.ts'

const guarded = problemResponses(401, 403)

export function register${names.pascal}Routes(
  app: App,
  { ${names.camel}Service, prefix }: { ${names.camel}Service: ${names.pascal}Service; prefix: string },
) {
  const base = \`\${prefix}/${names.path}\`
${route(
  'get',
  '/',
  'read',
  [`list${names.pascal}`, `List ${names.module.replaceAll('_', ' ')}`, 'Pages of them, by id.'],
  `querystring: ${names.pascal}Query,\n        response: { 200: Page(${names.entity}), ...guarded, ...problemResponses(422) },`,
  `async (request) => {
      const { page, size } = request.query
      return ${names.camel}Service.list(page, size, { ${filterArgs} })
    }`,
)}${route('get', '/:id', 'read', [`get${names.entity}`, `Get a ${names.label}`, 'One by id.'], `params: IdParams,\n        response: { 200: ${names.entity}, ...guarded, ...problemResponses(404, 422) },`, `async (request) => ${names.camel}Service.get(request.params.id)`)}${route('post', '/', 'create', [`create${names.entity}`, `Create a ${names.label}`, 'Every field is required.'], `body: ${names.entity}Create,\n        response: { 201: ${names.entity}, ...guarded, ...problemResponses(422) },`, `async (request, reply) => reply.code(201).send(await ${names.camel}Service.create(request.body))`)}${route('put', '/:id', 'update', [`update${names.entity}`, `Update a ${names.label}`, 'Only the fields sent change.'], `params: IdParams,\n        body: ${names.entity}Update,\n        response: { 200: ${names.entity}, ...guarded, ...problemResponses(404, 422) },`, `async (request) => ${names.camel}Service.update(request.params.id, request.body)`)}${route(
  'delete',
  '/:id',
  'delete',
  [`delete${names.entity}`, `Delete a ${names.label}`, 'Deletes it for good.'],
  `params: IdParams,\n        response: { 204: Type.Null(), ...guarded, ...problemResponses(404, 422) },`,
  `async (request, reply) => {
      await ${names.camel}Service.delete(request.params.id)
      return reply.code(204).send(null)
    }`,
)}}
`
}

export function moduleFile({ names }: ModuleSpec): string {
  return `import { defineModule } from '../../core/module.ts'
import { create${names.pascal}Repository } from './${names.module}.repository.ts'
import { register${names.pascal}Routes } from './${names.module}.routes.ts'
import { create${names.pascal}Service, type ${names.pascal}Service } from './${names.module}.service.ts'

declare module '../../core/auth/access.ts' {
  interface Resources {
    ${names.module}: true
  }
}

declare module '../../core/module.ts' {
  interface Services {
    ${names.camel}Service: ${names.pascal}Service
  }
}

export const ${names.camel}Module = defineModule({
  name: '${names.module}',
  description: '${upperFirst(names.module.replaceAll('_', ' '))}: create, read, update and delete',
  resources: ['${names.module}'],
  services: ({ database }) => ({
    ${names.camel}Service: create${names.pascal}Service({
      ${names.camel}Repository: create${names.pascal}Repository(database.db),
    }),
  }),
  routes(app, { ${names.camel}Service }, { config }) {
    register${names.pascal}Routes(app, { ${names.camel}Service, prefix: config.API_V1_PREFIX })
  },
})
`
}

/** A valid value of each field for the generated tests; `changed` differs from it. */
