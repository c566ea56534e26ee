// What a user runs: `npm start` (its script, `node bin/start.mjs`) on a fresh data directory answers /health and /openapi.json,
// then stops with exit code 0 on SIGTERM.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address()
    server.close(() => resolve(port))
  })
})
const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-smoke-'))
const { DATABASE_URL, REDIS_URL, ...env } = process.env
const child = spawn(process.execPath, ['bin/start.mjs'], {
  env: { ...env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  stdio: 'inherit',
})
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))

function fail(message) {
  console.error(`smoke test failed: ${message}`)
  child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(1)
}

const started = performance.now()
let healthy = false
while (!healthy && performance.now() - started < 60_000) {
  healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.ok,
    () => false,
  )
  if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100))
}
if (!healthy) fail('/health did not answer within 60 s')
console.log(`healthy after ${Math.round(performance.now() - started)} ms`)

const openapi = await fetch(`http://127.0.0.1:${port}/openapi.json`).then((r) => r.json())
if (openapi.openapi !== '3.1.0') fail(`/openapi.json is not OpenAPI 3.1 (got ${openapi.openapi})`)

child.kill('SIGTERM')
const code = await Promise.race([
  exited,
  new Promise((r) => setTimeout(() => r('timeout'), 15_000)),
])
rmSync(dataDir, { recursive: true, force: true })
if (code !== 0) fail(`exit after SIGTERM was ${code}`)
console.log('smoke test passed: healthy, OpenAPI 3.1, exit 0 on SIGTERM')
