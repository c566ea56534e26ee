import type { Field } from './fields.ts'
import { camel } from './names.ts'
import { decimalMax, type ModuleSpec, prop, wireKey } from './templates.ts'

// The tests make:module writes beside a module, in the tiers the products module has: HTTP
// (routes, access, validation), service (rules on a real database) and repository (the SQL).

/** A valid wire value of the field, as code; `db` is where a referenced record is inserted. */
export function sample(field: Field, changed: boolean, db = 't.deps.database.db'): string {
  switch (field.kind) {
    case 'string':
      return `'${(changed ? 'Changed' : 'Sample').slice(0, field.max)}'`
    case 'text':
      return changed ? "'Changed text'" : "'Some text'"
    case 'int':
      return changed ? '8' : '7'
    case 'decimal': {
      const value = Math.min(changed ? 11.11 : 12.3456, decimalMax(field))
      return String(Number(value.toFixed(field.scale)))
    }
    case 'bool':
      return changed ? 'false' : 'true'
    case 'datetime':
      return changed ? "'2031-05-06T07:08:09.000Z'" : "'2030-01-02T03:04:05.000Z'"
    case 'ref':
      return `(await insertFixture(${db}, ${camel(field.table)})).id`
  }
}

export function testFile(spec: ModuleSpec): string {
  const { names, fields, references } = spec
  const refImports = references.map((r) => `import { ${r.tableConst} } from '${r.importPath}'`)
  const plain = fields.find((f) => f.kind !== 'ref')
  const changed = (plain ?? fields[0]) as Field
  const firstRef = references[0]
  return `import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, everyAction, type TestUser } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
${references.length > 0 ? "import { insertFixture } from '../../../test/helpers/fixtures.ts'\n" : ''}${refImports.join('\n')}

let t: TestApp
let user: TestUser
beforeAll(async () => {
  t = await createTestApp()
  user = await createUser(t, { permissions: everyAction('${names.module}') })
})
afterAll(() => t.close())

const base = '/api/v1/${names.path}'
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, payload, headers: user.headers })

async function validBody() {
  return {
${fields.map((f) => `    ${wireKey(f)}: ${sample(f, false)},`).join('\n')}
  }
}

async function create() {
  const body = await validBody()
  const response = await call('POST', \`\${base}/\`, body)
  expect(response.statusCode, response.body).toBe(201)
  expect(response.json()).toMatchObject(body)
  return response.json()
}

describe('${names.module}', () => {
  it('creates and reads a ${names.label}', async () => {
    const created = await create()
    const read = await call('GET', \`\${base}/\${created.id}\`)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual(created)
${references.map((r) => `    expect(read.json().${r.field.name}.id).toBe(created.${r.field.name}_id)`).join('\n')}
  })

  it('lists ${names.module} as pages', async () => {
    await create()
    const page = await call('GET', \`\${base}/?page=1&size=1\`)
    expect(page.statusCode).toBe(200)
    expect(page.json()).toMatchObject({ page: 1, size: 1 })
    expect(page.json().items).toHaveLength(1)
  })
${
  firstRef
    ? `
  it('filters the list by ${firstRef.field.name}', async () => {
    const created = await create()
    await create()
    const page = await call('GET', \`\${base}/?${firstRef.field.name}_id=\${created.${firstRef.field.name}_id}\`)
    expect(page.json().items.map((item: { id: number }) => item.id)).toEqual([created.id])
  })

  it('answers 422 for a reference to a record that does not exist', async () => {
    const body = { ...(await validBody()), ${firstRef.field.name}_id: 2147483647 }
    expect((await call('POST', \`\${base}/\`, body)).statusCode).toBe(422)
  })
`
    : ''
}
  it('updates only the fields sent', async () => {
    const created = await create()
    const changes = { ${wireKey(changed)}: ${sample(changed, true)} }
    const response = await call('PUT', \`\${base}/\${created.id}\`, changes)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject(${plain ? '{ ...created, ...changes, updated_at: expect.any(String) }' : 'changes'})
  })

  it('deletes a ${names.label}', async () => {
    const created = await create()
    expect((await call('DELETE', \`\${base}/\${created.id}\`)).statusCode).toBe(204)
    expect((await call('GET', \`\${base}/\${created.id}\`)).statusCode).toBe(404)
  })

  it('answers 404 for a ${names.label} that does not exist', async () => {
    expect((await call('GET', \`\${base}/2147483647\`)).statusCode).toBe(404)
    expect((await call('PUT', \`\${base}/2147483647\`, {})).statusCode).toBe(404)
    expect((await call('DELETE', \`\${base}/2147483647\`)).statusCode).toBe(404)
  })

  it('appears in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(Object.keys(document.paths)).toContain(\`\${base}/\`)
  })
})
`
}

/** A column value for a repository insert, as code (the database's types: numeric as text). */
function columnSample(field: Field, changed: boolean): string {
  switch (field.kind) {
    case 'decimal':
      return `'${sample(field, changed)}'`
    case 'datetime':
      return `new Date(${sample(field, changed)})`
    default:
      return sample(field, changed, 'database.db')
  }
}

/** What the tier tests on a database of their own start with. */
function databaseSetup(spec: ModuleSpec, subject: 'repository' | 'service'): string {
  const { names, references } = spec
  const refImports = references.map((r) => `import { ${r.tableConst} } from '${r.importPath}'`)
  const service =
    subject === 'service'
      ? `\nimport { create${names.pascal}Service, type ${names.pascal}Service } from './${names.module}.service.ts'`
      : ''
  const repository = `create${names.pascal}Repository(database.db)`
  return `import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/app.ts'
${references.length > 0 ? "import { insertFixture } from '../../../test/helpers/fixtures.ts'\n" : ''}import type { DatabaseHandle } from '../../core/db/database.ts'
${refImports.join('\n')}
import { create${names.pascal}Repository${subject === 'repository' ? `, type ${names.pascal}Repository` : ''} } from './${names.module}.repository.ts'${service}

// The ${subject} alone, on a migrated database of its own: ${subject === 'repository' ? 'the SQL, not the rules' : 'the rules, without HTTP'}.
let database: DatabaseHandle
let ${subject}: ${names.pascal}${subject === 'repository' ? 'Repository' : 'Service'}
beforeAll(async () => {
  database = await createTestDatabase()
  ${subject} = ${subject === 'repository' ? repository : `create${names.pascal}Service({ ${names.camel}Repository: ${repository} })`}
})
afterAll(() => database.close())
`
}

export function repositoryTestFile(spec: ModuleSpec): string {
  const { names, fields, references } = spec
  const firstRef = references[0]
  return `${databaseSetup(spec, 'repository')}
async function values() {
  return {
${fields.map((f) => `    ${prop(f)}: ${columnSample(f, false)},`).join('\n')}
  }
}

describe('${names.module} repository', () => {
  it('inserts a ${names.label} and reads it back${references.length > 0 ? ' with the records it references' : ''}', async () => {
    const inserted = await values()
    const id = await repository.insert(inserted)
    const found = await repository.findById(id)
    expect(found).toMatchObject({ ...inserted, id })
${references.map((r) => `    expect(found?.${r.field.name}.id).toBe(inserted.${prop(r.field)})`).join('\n')}
  })

  it('pages in id order with the total${firstRef ? `, filtered by ${firstRef.field.name}` : ''}', async () => {
    const ids = [
      await repository.insert(await values()),
      await repository.insert(await values()),
      await repository.insert(await values()),
    ]
    const page = await repository.page(1, 1, {})
    expect(page.total).toBeGreaterThanOrEqual(3)
    expect(page.items).toHaveLength(1)
${
  firstRef
    ? `    const first = await repository.findById(ids[0] as number)
    const only = await repository.page(0, 10, { ${prop(firstRef.field)}: first?.${prop(firstRef.field)} })
    expect(only.items.map((item) => item.id)).toEqual([ids[0]])
    expect(only.total).toBe(1)`
    : '    expect((await repository.page(0, 1000, {})).items.map((item) => item.id)).toEqual(expect.arrayContaining(ids))'
}
  })

  it('says whether an update or a delete found its row', async () => {
    const id = await repository.insert(await values())
    expect(await repository.update(id, { ${prop(fields[0] as Field)}: ${columnSample(fields[0] as Field, true)} })).toBe(true)
    expect(await repository.update(2147483647, { ${prop(fields[0] as Field)}: ${columnSample(fields[0] as Field, true)} })).toBe(false)
    expect(await repository.delete(id)).toBe(true)
    expect(await repository.delete(id)).toBe(false)
    expect(await repository.findById(id)).toBeUndefined()
  })
})
`
}

export function serviceTestFile(spec: ModuleSpec): string {
  const { names, fields, references } = spec
  const decimal = fields.find((f): f is Extract<Field, { kind: 'decimal' }> => f.kind === 'decimal')
  const firstRef = references[0]
  const plain = fields.find((f) => f.kind !== 'ref') ?? (fields[0] as Field)
  return `${databaseSetup(spec, 'service')}
async function input() {
  return {
${fields.map((f) => `    ${wireKey(f)}: ${sample(f, false, 'database.db')},`).join('\n')}
  }
}

describe('${names.module} service', () => {
  it('creates a ${names.label} and answers it in its wire shape', async () => {
    const sent = await input()
    const created = await service.create(sent)
    expect(created).toMatchObject(sent)
    expect(await service.get(created.id)).toEqual(created)
  })

  it('changes only the fields sent', async () => {
    const created = await service.create(await input())
    const changes = { ${wireKey(plain)}: ${sample(plain, true, 'database.db')} }
    expect(await service.update(created.id, changes)).toMatchObject({
      ...created,
      ...changes,
      updated_at: expect.any(String),
    })
  })
${
  decimal
    ? `
  it('refuses more decimals than ${decimal.name} keeps, as 422, rather than rounding', async () => {
    const sent = { ...(await input()), ${decimal.name}: ${Math.min(1.123456789, decimalMax(decimal))} }
    await expect(service.create(sent)).rejects.toMatchObject({ status: 422 })
  })
`
    : ''
}${
  firstRef
    ? `
  it('refuses a ${firstRef.field.name} that does not exist, as 422', async () => {
    const sent = { ...(await input()), ${wireKey(firstRef.field)}: 2147483647 }
    await expect(service.create(sent)).rejects.toMatchObject({ status: 422 })
  })
`
    : ''
}
  it('answers 404 for a ${names.label} that does not exist, and after its deletion', async () => {
    const created = await service.create(await input())
    await service.delete(created.id)
    await expect(service.get(created.id)).rejects.toMatchObject({ status: 404 })
    await expect(service.update(created.id, {})).rejects.toMatchObject({ status: 404 })
    await expect(service.delete(created.id)).rejects.toMatchObject({ status: 404 })
  })
})
`
}
