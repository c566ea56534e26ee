import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { SourceMap, type SourceMapping } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../bin/launch.mjs'

describe('the development bundle (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-bundle-'))
  const outfile = join(dir, 'main.mjs')
  let lines: string[]
  let map: SourceMap

  beforeAll(async () => {
    await bundle('main', pathToFileURL(outfile))
    const code = readFileSync(outfile, 'utf8')
    const inline = code.match(/\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/)
    expect(inline).not.toBeNull()
    lines = code.split('\n')
    map = new SourceMap(JSON.parse(Buffer.from(inline?.[1] ?? '', 'base64').toString()))
  }, 60_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** The mapping in force at a (0-based) position of the bundle; empty where there is none. */
  const entryAt = (line: number, column: number) =>
    map.findEntry(line, column) as Partial<SourceMapping>

  /** Where the first line containing `text` comes from, by the bundle's map. */
  const originOf = (text: string) => {
    const line = lines.findIndex((candidate) => candidate.includes(text))
    expect(line).toBeGreaterThan(-1)
    return entryAt(line, (lines[line] as string).indexOf(text))
  }

  it('includes its dependencies, except those that load their own files', () => {
    const code = lines.join('\n')
    expect(code).toContain('// node_modules/fastify/fastify.js')
    expect(code).toContain('// node_modules/drizzle-orm/')
    expect(code).toMatch(/from "@electric-sql\/pglite"|import\("@electric-sql\/pglite"\)/)
    expect(code).not.toContain('// node_modules/@electric-sql/pglite/')
  })

  it("maps the app's own code to its TypeScript source, line for line", () => {
    const source = readFileSync('src/core/http.ts', 'utf8').split('\n')
    const origin = originOf('function requestIdOf(')
    expect(origin).toMatchObject({ originalSource: expect.stringMatching(/src\/core\/http\.ts$/) })
    expect(source[origin.originalLine ?? -1]).toContain('function requestIdOf(')
  })

  it("maps a dependency's code to its file and line, with one mapping per line", () => {
    const origin = originOf('function buildCompilerFromPool')
    expect(origin.originalSource).toMatch(/node_modules\/@fastify\/ajv-compiler\/index\.js$/)
    const source = readFileSync('node_modules/@fastify/ajv-compiler/index.js', 'utf8').split('\n')
    expect(source[origin.originalLine ?? -1]).toContain('function buildCompilerFromPool')
    let dependencyLines = 0
    let finerLines = 0
    lines.forEach((text, index) => {
      const end = entryAt(index, text.length - 1)
      if (!end.originalSource?.includes('node_modules/') || end.generatedLine !== index) return
      dependencyLines += 1
      const start = entryAt(index, text.search(/\S/))
      if (start.generatedLine === index && start.generatedColumn !== end.generatedColumn) {
        finerLines += 1
      }
    })
    expect(dependencyLines).toBeGreaterThan(10_000)
    expect(finerLines).toBe(0)
  })
})
