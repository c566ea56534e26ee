// Login cost: one argon2id verify at the configured cost, one login through the API, and the
// logins/s of one process (rate limits raised for the measurement).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hash, verify } from '@node-rs/argon2'
import { APP, load, pinSelf, startServer, stopServer } from './lib.mjs'

const cost = {
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 19456),
  timeCost: Number(process.env.ARGON2_ITERATIONS ?? 2),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 1),
}
pinSelf()
const stored = await hash('correct-horse-42', cost)
const rounds = 30
let started = performance.now()
for (let i = 0; i < rounds; i++) await verify(stored, 'correct-horse-42')
const verifyMs = (performance.now() - started) / rounds

const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-bench-'))
const { DATABASE_URL, REDIS_URL, ...env } = process.env
process.env = env
const server = await startServer(APP, {
  DATA_DIR: dataDir,
  LOGIN_RATE_LIMIT: '1000000/minute',
  LOGIN_IP_RATE_LIMIT: '1000000/minute',
  SIGNUP_RATE_LIMIT: '1000/minute',
  ...(DATABASE_URL ? { DATABASE_URL } : {}),
  ...(REDIS_URL ? { REDIS_URL } : {}),
})
const credentials = { email: `bench-${Date.now()}@example.com`, password: 'correct-horse-42' }
const registered = await fetch(`${server.url}/api/v1/auth/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ...credentials, username: `bench${Date.now()}` }),
})
if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`)
const request = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(credentials),
}
started = performance.now()
for (let i = 0; i < 10; i++) await fetch(`${server.url}/api/v1/auth/login`, request)
const loginMs = (performance.now() - started) / 10
const result = await load(server.url, {
  ...request,
  path: '/api/v1/auth/login',
  connections: 8,
  duration: 5,
})
await stopServer(server)
rmSync(dataDir, { recursive: true, force: true })

const ceiling = 1000 / verifyMs
console.log(
  `argon2id m=${cost.memoryCost} t=${cost.timeCost} p=${cost.parallelism}: verify ${verifyMs.toFixed(1)} ms`,
)
console.log(`one login through the API (sequential): ${loginMs.toFixed(1)} ms`)
console.log(
  `logins/s, one process, 8 connections: ${result.rps.toFixed(0)} (p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx})`,
)
console.log(
  `ceiling 1000/verify = ${ceiling.toFixed(0)}/s; ratio ${(result.rps / ceiling).toFixed(2)}`,
)
