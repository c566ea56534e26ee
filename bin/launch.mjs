import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sourceMapOf } from './source-map.mjs'

const ROOT = new URL('..', import.meta.url)

/**
 * Dependencies left out of the bundle and loaded from node_modules: those that read their own
 * files at run time (PGlite's WebAssembly, Swagger UI's assets, pino's transport worker), native
 * addons, and optional ones a package only tries to load.
 */
const UNBUNDLED = [
  '@electric-sql/pglite',
  '@fastify/swagger-ui',
  '@node-rs/argon2',
  'pino',
  'pino-pretty',
  'thread-stream',
  'pg-native',
]

/**
 * Runs an entry point: the compiled JavaScript in production (no TypeScript at run time);
 * otherwise the TypeScript source, bundled by esbuild with its dependencies, so `npm start` works
 * right after `npm install`. One file instead of ~1,600 halves a restart (Node resolves, reads and
 * compiles each module file on its own). The bundle is written atomically into the checkout's
 * `.cache/`, and rebuilt only when a source file or the installed packages are newer.
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
  const cacheDir = new URL('.cache/', ROOT)
  mkdirSync(cacheDir, { recursive: true })
  const outfile = new URL(`${entry.replaceAll('/', '-')}.mjs`, cacheDir)
  if (!isFresh(outfile)) await bundle(entry, outfile)
  process.setSourceMapsEnabled(true)
  await import(outfile.href)
}

/**
 * True when the bundle is newer than every source file and than the last `npm install` (npm
 * rewrites node_modules/.package-lock.json): a restart then skips esbuild.
 */
function isFresh(outfile) {
  let built
  try {
    built = statSync(outfile).mtimeMs
  } catch {
    return false
  }
  const src = fileURLToPath(new URL('src/', ROOT))
  const sources = ['', ...readdirSync(src, { recursive: true })].map((file) => `${src}${file}`)
  const installed = fileURLToPath(new URL('node_modules/.package-lock.json', ROOT))
  return [...sources, installed].every(
    (file) => !existsSync(file) || statSync(file).mtimeMs < built,
  )
}

/** Bundles `src/<entry>.ts` into `outfile` (a file URL), with the map of the app's own code. */
export async function bundle(entry, outfile) {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`src/${entry}.ts`, ROOT))],
    outfile: fileURLToPath(outfile),
    bundle: true,
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
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs')).text
  const fullMap = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map')).text)
  const map = sourceMapOf(fullMap, (source) => !source.includes('node_modules/'))
  const inlineMap = Buffer.from(JSON.stringify(map)).toString('base64')
  const temporary = `${fileURLToPath(outfile)}.${process.pid}.tmp`
  writeFileSync(
    temporary,
    `${code}//# sourceMappingURL=data:application/json;base64,${inlineMap}\n`,
  )
  renameSync(temporary, outfile)
}
