import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, ROOT } from './helpers/process.ts'

// Generates modules into a copy of the project, then holds the generated code to the same bar
// as hand-written code: typecheck, lint/format, and its own tests.
let copy: string

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, {
    cwd: copy,
    env: cleanEnv({ LOG_LEVEL: 'warn' }),
    encoding: 'utf8',
    timeout: 240_000,
  })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

const npx = (bin: string, ...args: string[]) =>
  run(process.execPath, [join(copy, 'node_modules', ...bin.split('/')), ...args])
const makeModule = (...args: string[]) =>
  run(process.execPath, ['bin/food-fleet.mjs', 'make:module', ...args])

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'food-fleet-generate-'))
  const skip = new Set(['node_modules', '.git', '.cache', 'data', 'dist', 'coverage'])
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => !skip.has(source.slice(ROOT.length).split('/')[0] ?? ''),
  })
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
})
afterAll(() => rmSync(copy, { recursive: true, force: true }))

describe('make:module', () => {
  it.each([
    ['an existing module', ['products', 'name:string:50']],
    ['a table of another module', ['categories', 'name:string:50']],
    ['a reserved word', ['delete', 'name:string:50']],
    ['a name that is not snake_case', ['Bad-Name', 'name:string:50']],
    ['an unknown field type', ['widgets', 'name:varchar']],
    ['a reference to a missing table', ['widgets', 'owner:ref:nowhere']],
    ['a reserved field name', ['widgets', 'id:int']],
    ['a field given twice', ['widgets', 'size_x:int', 'size_x:text']],
  ])('refuses %s and writes nothing', (_why, args) => {
    const before = readdirSync(join(copy, 'src/modules')).sort()
    const result = makeModule(...args)
    expect(result.code).not.toBe(0)
    expect(readdirSync(join(copy, 'src/modules')).sort()).toEqual(before)
  })

  it('generates a module with every field type that passes typecheck, lint and its own tests', () => {
    const generated = makeModule(
      'deliveries',
      'title:string:120',
      'notes:text',
      'quantity:int',
      'fee:decimal:10:2',
      'urgent:bool',
      'due_at:datetime',
      'product:ref:products',
      'category:ref(categories)',
      'owner:ref:users',
    )
    expect(generated.code, generated.output).toBe(0)
    const dir = join(copy, 'src/modules/deliveries')
    for (const role of [
      'models',
      'schemas',
      'repository',
      'errors',
      'service',
      'routes',
      'module',
      'test',
      'service.test',
      'repository.test',
    ]) {
      expect(existsSync(join(dir, `deliveries.${role}.ts`))).toBe(true)
    }
    expect(readFileSync(join(copy, 'src/modules/index.ts'), 'utf8')).toContain('deliveriesModule')
    // A referenced record is embedded with its columns written out, read from the table itself:
    // numeric as a number, times as ISO strings, nullable columns nullable, secrets left out.
    const schemas = readFileSync(join(dir, 'deliveries.schemas.ts'), 'utf8')
    expect(schemas).toContain('price: Type.Number()')
    expect(schemas).toContain('description: Type.Union([Type.String(), Type.Null()])')
    expect(schemas).toContain('email: Type.String()')
    expect(schemas).not.toMatch(/password|additionalProperties: true/)
    expect(readFileSync(join(dir, 'deliveries.service.ts'), 'utf8')).toContain(
      'price: fromNumeric(record.product.price)',
    )
    // Its permissions are seeded from the module's own `resources`: no other file is edited.
    expect(readFileSync(join(dir, 'deliveries.module.ts'), 'utf8')).toContain(
      "resources: ['deliveries']",
    )
    expect(
      readdirSync(join(copy, 'migrations')).some((file) => file.endsWith('_deliveries.sql')),
    ).toBe(true)

    const typecheck = npx('typescript/bin/tsc', '--noEmit')
    expect(typecheck.code, typecheck.output).toBe(0)
    const lint = npx('@biomejs/biome/bin/biome', 'check', '--error-on-warnings', '.')
    expect(lint.code, lint.output).toBe(0)
    const tests = npx(
      'vitest/vitest.mjs',
      'run',
      'src/modules/deliveries',
      'test/route-guards.test.ts',
      // Its routes are in the OpenAPI snapshot, named, and both linters pass.
      'src/core/docs.test.ts',
    )
    expect(tests.code, tests.output.slice(-3000)).toBe(0)
    expect(tests.output).toMatch(/Tests\s+.*passed/)
    // Three tiers: HTTP, service and repository.
    expect(tests.output).toMatch(/deliveries\.service\.test\.ts/)
    expect(tests.output).toMatch(/deliveries\.repository\.test\.ts/)
  }, 180_000)

  it('generates a module without references that passes typecheck, lint and its tests', () => {
    // The module list is parsed, not matched: written on one line, without a trailing comma.
    const index = join(copy, 'src/modules/index.ts')
    const source = readFileSync(index, 'utf8')
    const list = source.slice(source.indexOf('= [') + 3, source.lastIndexOf(']'))
    const names = list
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
    writeFileSync(index, source.replace(list, names.join(', ')))
    const generated = makeModule('memos', 'body:text', 'pinned:bool')
    expect(generated.code, generated.output).toBe(0)
    expect(readFileSync(index, 'utf8')).toMatch(
      /filesModule,\s+deliveriesModule,\s+memosModule,?\s*\]/,
    )
    const typecheck = npx('typescript/bin/tsc', '--noEmit')
    expect(typecheck.code, typecheck.output).toBe(0)
    const lint = npx('@biomejs/biome/bin/biome', 'check', '--error-on-warnings', '.')
    expect(lint.code, lint.output).toBe(0)
    const tests = npx('vitest/vitest.mjs', 'run', 'src/modules/memos')
    expect(tests.code, tests.output.slice(-3000)).toBe(0)
  }, 180_000)
})
