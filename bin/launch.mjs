import { existsSync } from 'node:fs'

const ROOT = new URL('..', import.meta.url)

/**
 * Runs an entry point: the compiled JavaScript in production (no TypeScript at run time);
 * otherwise the TypeScript source, bundled by esbuild in ~0.1 s (dependencies stay external), so
 * `npm start` works right after `npm install` and starts about twice as fast as through a loader.
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
  const { build } = await import('esbuild')
  const outfile = new URL(`node_modules/.cache/food-fleet/${entry.replaceAll('/', '-')}.mjs`, ROOT)
  await build({
    entryPoints: [new URL(`src/${entry}.ts`, ROOT).pathname],
    outfile: outfile.pathname,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  })
  process.setSourceMapsEnabled(true)
  await import(outfile.href)
}
