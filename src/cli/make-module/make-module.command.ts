import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProjectCommand } from '../command.ts'
import { FIELD_HELP, type Field, parseField } from './fields.ts'
import { namesOf } from './names.ts'
import { findTable } from './tables.ts'
import {
  errorsFile,
  type ModuleSpec,
  modelsFile,
  moduleFile,
  type Reference,
  repositoryFile,
  routesFile,
  schemasFile,
  serviceFile,
} from './templates.ts'
import { repositoryTestFile, serviceTestFile, testFile } from './test-templates.ts'

/** Names that would clash with the app's own paths, files, SQL or JavaScript. */
const RESERVED_MODULES = new Set([
  'api',
  'app',
  'auth',
  'cli',
  'config',
  'core',
  'docs',
  'health',
  'index',
  'main',
  'metrics',
  'module',
  'modules',
  'openapi',
  'test',
  'worker',
  'drizzle',
  'public',
  'user',
  'users',
  'roles',
  'permissions',
  'role_permissions',
  'refresh_tokens',
  'select',
  'table',
  'delete',
  'update',
  'insert',
  'order',
  'group',
  'default',
  'class',
  'function',
  'new',
  'return',
  'import',
  'export',
])

const USAGE = `Usage: food-fleet make:module <name> <field>... \n  fields: ${FIELD_HELP}\n  e.g.   make:module deliveries title:string:120 fee:decimal:10:2 due_at:datetime product:ref:products`

async function tableExists(modulesDir: string, table: string): Promise<boolean> {
  try {
    await findTable(modulesDir, table)
    return true
  } catch {
    return false
  }
}

/**
 * Adds the module to \`src/modules/index.ts\`: its import after the last import, its entry at the
 * end of the \`modules\` list. The file is parsed (TypeScript's parser, a development dependency
 * like this command), not matched against a pattern, so it may be formatted or commented any way.
 */
async function registerModule(root: string, module: string, camelName: string): Promise<void> {
  const { default: ts } = await import('typescript')
  const indexFile = join(root, 'src/modules/index.ts')
  const text = readFileSync(indexFile, 'utf8')
  const source = ts.createSourceFile(indexFile, text, ts.ScriptTarget.Latest)
  const lastImport = source.statements.filter(ts.isImportDeclaration).at(-1)
  const list = source.statements
    .filter(ts.isVariableStatement)
    .flatMap((statement) => [...statement.declarationList.declarations])
    .find(
      (declaration) => ts.isIdentifier(declaration.name) && declaration.name.text === 'modules',
    )?.initializer
  if (!lastImport || !list || !ts.isArrayLiteralExpression(list)) {
    throw new Error('Cannot find the `modules` list in src/modules/index.ts')
  }
  const closing = list.getEnd() - 1
  const comma = list.elements.length > 0 && !list.elements.hasTrailingComma ? ',' : ''
  const entry = `${comma}  ${camelName}Module,\n`
  const statement = `\nimport { ${camelName}Module } from './${module}/${module}.module.ts'`
  writeFileSync(
    indexFile,
    text.slice(0, lastImport.getEnd()) +
      statement +
      text.slice(lastImport.getEnd(), closing) +
      entry +
      text.slice(closing),
  )
}

export const makeModuleCommand: ProjectCommand = {
  name: 'make:module',
  description:
    'Generate a module: models, schemas, repository, service, routes, errors, tests, migration',
  offline: true,
  async run(args) {
    const [module, ...fieldSpecs] = args
    const root = process.cwd()
    const modulesDir = join(root, 'src/modules')
    if (!existsSync(join(modulesDir, 'index.ts'))) {
      throw new Error('Run make:module from the project root (src/modules/index.ts not found)')
    }
    if (!module || fieldSpecs.length === 0) {
      process.stderr.write(`${USAGE}\n`)
      return 1
    }
    if (!/^[a-z][a-z0-9_]{1,39}$/.test(module)) {
      throw new Error(`"${module}" is not a module name: use snake_case letters, digits and _`)
    }
    if (RESERVED_MODULES.has(module)) throw new Error(`"${module}" is reserved`)
    if (existsSync(join(modulesDir, module)) || (await tableExists(modulesDir, module))) {
      throw new Error(`"${module}" already exists`)
    }
    const fields: Field[] = fieldSpecs.map(parseField)
    const names = new Set<string>()
    for (const field of fields) {
      const key = field.kind === 'ref' ? `${field.name}_id` : field.name
      if (names.has(key) || names.has(field.name))
        throw new Error(`Field "${field.name}" is given twice`)
      names.add(key).add(field.name)
    }
    const references: Reference[] = []
    for (const field of fields) {
      if (field.kind !== 'ref') continue
      const found = await findTable(modulesDir, field.table)
      references.push({
        field,
        tableConst: found.tableConst,
        importPath: `../${found.module}/${found.module}.models.ts`,
        columns: found.columns,
      })
    }
    const spec: ModuleSpec = { names: namesOf(module), fields, references }
    const dir = join(modulesDir, module)
    mkdirSync(dir)
    const files: [string, string][] = [
      ['models', modelsFile(spec)],
      ['schemas', schemasFile(spec)],
      ['repository', repositoryFile(spec)],
      ['errors', errorsFile(spec)],
      ['service', serviceFile(spec)],
      ['routes', routesFile(spec)],
      ['module', moduleFile(spec)],
      ['test', testFile(spec)],
      ['service.test', serviceTestFile(spec)],
      ['repository.test', repositoryTestFile(spec)],
    ]
    const written = files.map(([role, content]) => {
      const path = join(dir, `${module}.${role}.ts`)
      writeFileSync(path, content)
      return path
    })
    await registerModule(root, module, spec.names.camel)
    const run = (command: string, commandArgs: string[]) =>
      execFileSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    const touched = [...written, join(modulesDir, 'index.ts')]
    run(process.execPath, [
      join(root, 'node_modules/@biomejs/biome/bin/biome'),
      'check',
      '--write',
      ...touched,
    ])
    run(process.execPath, [
      join(root, 'node_modules/drizzle-kit/bin.cjs'),
      'generate',
      '--name',
      module,
    ])
    // A process of its own: this one loaded the modules before the new one existed.
    run(process.execPath, [join(root, 'bin/food-fleet.mjs'), 'openapi'])
    run(process.execPath, [
      join(root, 'node_modules/openapi-typescript/bin/cli.js'),
      'openapi/openapi.json',
      '--output',
      'clients/typescript/src/schema.ts',
    ])
    process.stdout.write(
      `Module ${module} created:\n${touched.map((path) => `  ${path.slice(root.length + 1)}`).join('\n')}\n  migrations/ (new migration)\n  openapi/openapi.json and clients/typescript/src/schema.ts (its routes)\nNext: edit src/modules/${module}/${module}.service.ts, then npm test\n`,
    )
    return 0
  },
}
