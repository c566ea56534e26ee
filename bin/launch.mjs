import { existsSync } from 'node:fs'

/**
 * Runs an entry point: the compiled JavaScript in production (no TypeScript at run time), the
 * TypeScript source through tsx otherwise, so `npm start` works right after `npm install`.
 */
export async function launch(entry) {
  const built = new URL(`../dist/${entry}.js`, import.meta.url)
  if (process.env.NODE_ENV === 'production') {
    if (!existsSync(built)) {
      process.stderr.write(`dist/${entry}.js is missing: run \`npm run build\` first\n`)
      process.exit(1)
    }
    await import(built.href)
    return
  }
  const { register } = await import('tsx/esm/api')
  register()
  await import(new URL(`../src/${entry}.ts`, import.meta.url).href)
}
