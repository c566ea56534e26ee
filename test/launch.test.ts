import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { SourceMap, type SourceMapping } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../bin/launch.mjs'

interface BundledFile {
  name: string
  lines: string[]
  map: SourceMap
}

describe('the development bundle (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-bundle-'))
  let files: BundledFile[]

  beforeAll(async () => {
    await bundle('main', pathToFileURL(`${dir}/`))
    files = readdirSync(dir).map((name) => {
      const code = readFileSync(join(dir, name), 'utf8')
      const inline = code.match(/\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/)
      expect(inline, name).not.toBeNull()
      const map = JSON.parse(Buffer.from(inline?.[1] ?? '', 'base64').toString())
      return { name, lines: code.split('\n'), map: new SourceMap(map) }
    })
  }, 60_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.runIf(existsSync('/proc/self/stat'))('leaves no esbuild process running after it', () => {
    const esbuildChildren = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
          const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
          return (
            parent === process.pid &&
            readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('esbuild')
          )
        } catch {
          return false
        }
      })
    expect(esbuildChildren).toEqual([])
  })

  const codeOf = (name: string) => files.find((file) => file.name === name)?.lines.join('\n')

  /** The mapping in force at a (0-based) position of a file; empty where there is none. */
  const entryAt = (file: BundledFile, line: number, column: number) =>
    file.map.findEntry(line, column) as Partial<SourceMapping>

  /** Where the first line containing `text` comes from, by its file's map. */
  const originOf = (text: string) => {
    const file = files.find((candidate) => candidate.lines.some((line) => line.includes(text)))
    expect(file, text).toBeDefined()
    const { lines } = file as BundledFile
    const line = lines.findIndex((candidate) => candidate.includes(text))
    return entryAt(file as BundledFile, line, (lines[line] as string).indexOf(text))
  }

  it('includes its dependencies, except those that load their own files', () => {
    const code = files.map((file) => file.lines.join('\n')).join('\n')
    expect(code).toContain('// node_modules/fastify/fastify.js')
    expect(code).toContain('// node_modules/drizzle-orm/')
    expect(code).toMatch(/from "@electric-sql\/pglite"|import\("@electric-sql\/pglite"\)/)
    expect(code).not.toContain('// node_modules/@electric-sql/pglite/')
  })

  it('starts small: the app is a chunk of its own, loaded while the database starts', () => {
    const entry = codeOf('main.js') ?? ''
    const loadedFirst = [...entry.matchAll(/^import (?:[^"]*? from )?"\.\/(chunk-\w+\.js)"/gm)].map(
      ([, chunk]) => codeOf(chunk as string) ?? '',
    )
    expect(loadedFirst.length).toBeGreaterThan(0)
    expect(loadedFirst.join('\n')).not.toContain('// node_modules/fastify/')
    expect(entry).toMatch(/import\("\.\/chunk-\w+\.js"\)/)
  })

  it("holds the database thread's program beside the chunks, as `dist/` does", () => {
    expect(codeOf('pglite-worker.js')).toContain('// src/core/db/pglite-worker.ts')
    const starter = files.find(
      ({ name, lines }) =>
        name !== 'pglite-worker.js' && lines.some((line) => line.includes('./pglite-worker')),
    )
    expect(starter?.name).toMatch(/^(main|chunk-\w+)\.js$/)
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
    for (const file of files) {
      file.lines.forEach((text, index) => {
        const end = entryAt(file, index, text.length - 1)
        if (!end.originalSource?.includes('node_modules/') || end.generatedLine !== index) return
        dependencyLines += 1
        const start = entryAt(file, index, text.search(/\S/))
        if (start.generatedLine === index && start.generatedColumn !== end.generatedColumn) {
          finerLines += 1
        }
      })
    }
    expect(dependencyLines).toBeGreaterThan(10_000)
    expect(finerLines).toBe(0)
  })
})
