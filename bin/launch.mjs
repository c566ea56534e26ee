import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sourceMapOf } from './source-map.mjs'

const ROOT = new URL('..', import.meta.url)

/**
 * Dependencies left out of the bundle and loaded from node_modules: those that read their own
 * files at run time (PGlite's WebAssembly, pino's transport worker), native addons, and optional
 * ones a package only tries to load. (Swagger UI is bundled: core/docs.ts names its files.)
 */
const UNBUNDLED = [
  '@electric-sql/pglite',
  '@node-rs/argon2',
  'pino',
  'pino-pretty',
  'thread-stream',
  'pg-native',
  // make:module's parser: a development dependency, loaded only by that command.
  'typescript',
]

/** `cli/index` → `cli-index`: the bundle's directory and its entry file are named so. */
const bundleName = (entry) => entry.replaceAll('/', '-')

/** Entry points every bundle has besides its own: the embedded database's thread. */
const THREADS = { 'pglite-worker': 'src/core/db/pglite-worker.ts' }

/**
 * Runs an entry point: the compiled JavaScript in production (no TypeScript at run time);
 * otherwise the TypeScript source, bundled by esbuild with its dependencies, so `npm start` works
 * right after `npm install`. A few files instead of ~1,600 halves a restart (Node resolves, reads
 * and compiles each module file on its own); the code the entry point imports only later (the
 * app, once the database is starting) is a chunk of its own, compiled then. The bundle is written
 * into the checkout's `.cache/<entry>/`, and rebuilt only when a source file or the installed
 * packages are newer.
 */
export async function launch(entry) {
  const built = new URL(`dist/${entry}.js`, ROOT)
  if (process.env.NODE_ENV === 'production') {
    if (!existsSync(built)) {
      process.stderr.write(`dist/${entry}.js is missing: run \`npm run build\` first\n`)
      process.exit(1)
    }
    await import(built.href)
    return
  }
  const name = bundleName(entry)
  const outdir = new URL(`.cache/${name}/`, ROOT)
  const entryFile = new URL(`${name}.js`, outdir)
  if (!isFresh(entryFile, ['src/'])) await bundle(entry, outdir)
  if (entry === 'main') buildConsole()
  process.setSourceMapsEnabled(true)
  await import(entryFile.href)
}

/**
 * True when `outfile` is newer than every file under the `sources` folders and than the last
 * `npm install` (npm rewrites node_modules/.package-lock.json): a restart then skips the build.
 */
function isFresh(outfile, folders) {
  let built
  try {
    built = statSync(outfile).mtimeMs
  } catch {
    return false
  }
  const sources = folders.flatMap((folder) => {
    const path = fileURLToPath(new URL(folder, ROOT))
    if (!existsSync(path)) return []
    if (!statSync(path).isDirectory()) return [path]
    return ['', ...readdirSync(path, { recursive: true })].map((file) => `${path}${file}`)
  })
  const installed = fileURLToPath(new URL('node_modules/.package-lock.json', ROOT))
  return [...sources, installed].every(
    (file) => !existsSync(file) || statSync(file).mtimeMs < built,
  )
}

/** One build, then esbuild's service process is stopped. */
async function buildOnce(esbuild, options) {
  try {
    return await esbuild.build(options)
  } finally {
    await esbuild.stop()
  }
}

/**
 * Bundles `src/<entry>.ts` into `outdir` (a file URL) as `<entry>.js` (`/` made `-`), with the
 * threads it starts and the chunks they share, each with the map of the app's own code. Files are
 * replaced atomically, the entry last (its time tells whether the bundle is fresh); files of an
 * earlier build that this one does not have are removed.
 */
export async function bundle(entry, outdir) {
  const esbuild = await import('esbuild')
  const dir = fileURLToPath(outdir)
  const entryPoints = { [bundleName(entry)]: `src/${entry}.ts`, ...THREADS }
  // esbuild's service process would otherwise live as long as the server.
  const result = await buildOnce(esbuild, {
    entryPoints: Object.fromEntries(
      Object.entries(entryPoints).map(([name, file]) => [name, fileURLToPath(new URL(file, ROOT))]),
    ),
    outdir: dir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    external: UNBUNDLED,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies call `require`, which an ES module does not have.
    banner: {
      js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
    },
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'warning',
    write: false,
  })
  const maps = new Map(
    result.outputFiles
      .filter((file) => file.path.endsWith('.map'))
      .map((file) => [file.path.slice(0, -'.map'.length), JSON.parse(file.text)]),
  )
  const entryFile = join(dir, `${Object.keys(entryPoints)[0]}.js`)
  const code = result.outputFiles
    .filter((file) => file.path.endsWith('.js'))
    .sort((a, b) => Number(a.path === entryFile) - Number(b.path === entryFile))
  mkdirSync(dir, { recursive: true })
  for (const file of code) {
    const map = sourceMapOf(maps.get(file.path), (source) => !source.includes('node_modules/'))
    const inlineMap = Buffer.from(JSON.stringify(map)).toString('base64')
    const temporary = `${file.path}.${process.pid}.tmp`
    writeFileSync(
      temporary,
      `${file.text}//# sourceMappingURL=data:application/json;base64,${inlineMap}\n`,
    )
    renameSync(temporary, file.path)
  }
  const current = new Set(code.map((file) => basename(file.path)))
  const stale = readdirSync(dir).filter((file) => file.endsWith('.js') && !current.has(file))
  for (const file of stale) {
    rmSync(join(dir, file), { force: true })
  }
}

/**
 * Builds the admin console (web/) into web/dist with Vite when its sources or the typed client's
 * are newer, so that `npm start` serves a current console at /admin/. Skipped when the console
 * is turned off, or when Vite is not installed (an install without development dependencies).
 */
export function buildConsole() {
  if (process.env.ADMIN_UI_ENABLED === 'false') return
  const built = new URL('web/dist/index.html', ROOT)
  if (
    isFresh(built, [
      'web/src/',
      'web/index.html',
      'web/vite.config.ts',
      'web/budget.ts',
      'clients/typescript/src/',
    ])
  )
    return
  const vite = fileURLToPath(new URL('node_modules/vite/bin/vite.js', ROOT))
  if (!existsSync(vite)) return
  // Built beside, then swapped in: a server starting at the same moment never reads half a build.
  // In a process of its own: Vite sets NODE_ENV and loads much that a server need not keep.
  const web = fileURLToPath(new URL('web/', ROOT))
  const next = join(web, `dist.${process.pid}.tmp`)
  const old = join(web, `dist.${process.pid}.old`)
  execFileSync(
    process.execPath,
    [vite, 'build', '--logLevel', 'warn', '--outDir', next, '--emptyOutDir'],
    {
      cwd: web,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const dist = join(web, 'dist')
  try {
    if (existsSync(dist)) renameSync(dist, old)
    renameSync(next, dist)
  } catch (error) {
    // Another process swapped its build in meanwhile: that one is as fresh.
    if (!existsSync(dist)) throw error
    rmSync(next, { recursive: true, force: true })
  }
  rmSync(old, { recursive: true, force: true })
}
