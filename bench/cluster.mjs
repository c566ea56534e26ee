// WEB_CONCURRENCY=1 against =2 on PostgreSQL (+ Redis when REDIS_URL is set): requests/s of
// GET /api/v1/products/?limit=20, alternating A B A B so a noisy machine affects both alike;
// then a SIGKILL of one worker under load: failed requests, and whether it was replaced.
// Two cores: the servers are not pinned, so wrk (on core 1) competes with a second worker.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { APP, load, ROOT, startServer, stopServer } from './lib.mjs'

const { DATABASE_URL, REDIS_URL } = process.env
if (!DATABASE_URL) {
  console.error('bench:cluster needs DATABASE_URL (WEB_CONCURRENCY > 1 needs PostgreSQL)')
  process.exit(1)
}
const duration = Number(process.env.BENCH_DURATION ?? 5)
const env = {
  DATABASE_URL,
  ...(REDIS_URL ? { REDIS_URL, REDIS_KEY_PREFIX: `ff-bench-cluster-${Date.now()}:` } : {}),
  LOG_LEVEL: 'warn',
  RUN_WORKERS: 'false',
}
execFileSync(process.execPath, ['bin/food-fleet.mjs', 'seed', '--demo'], {
  cwd: ROOT,
  env: { ...process.env, ...env },
  stdio: 'ignore',
})

const childrenOf = (pid) =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return (
          Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid
        )
      } catch {
        return false
      }
    })
    .map(Number)

const path = '/api/v1/products/?limit=20'
const rows = []
for (let round = 1; round <= 2; round++) {
  for (const workers of [1, 2]) {
    const server = await startServer(
      APP,
      { ...env, WEB_CONCURRENCY: String(workers) },
      { pin: false },
    )
    const result = await load(server.url, { path, duration })
    rows.push({ round, workers, ...result })
    await stopServer(server)
  }
}
console.log(
  `GET ${path} on PostgreSQL${REDIS_URL ? ' + Redis' : ''}, 32 connections, ${duration} s`,
)
console.log('round | WEB_CONCURRENCY | req/s | p50 ms | p99 ms | non-2xx | errors')
for (const row of rows) {
  console.log(
    `${row.round} | ${row.workers} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.non2xx} | ${row.errors}`,
  )
}
const mean = (workers) =>
  rows.filter((row) => row.workers === workers).reduce((sum, row) => sum + row.rps, 0) / 2
console.log(
  `mean: 1 worker ${Math.round(mean(1))} req/s, 2 workers ${Math.round(mean(2))} req/s (×${(mean(2) / mean(1)).toFixed(2)})`,
)

// A worker killed with SIGKILL in the middle of a 6 s load.
const server = await startServer(APP, { ...env, WEB_CONCURRENCY: '2' }, { pin: false })
const before = childrenOf(server.child.pid)
const running = load(server.url, { path, duration: 6, warmup: 0, timeout: 5 })
await new Promise((resolve) => setTimeout(resolve, 2000))
process.kill(before[0], 'SIGKILL')
const result = await running
await new Promise((resolve) => setTimeout(resolve, 1000))
const after = childrenOf(server.child.pid)
await stopServer(server)
console.log(
  `kill -9 of worker ${before[0]} under load: ${result.requests} requests, ${result.errors} errors (${result.timeouts} timeouts), ${result.non2xx} non-2xx; workers before ${before.join(',')}, after ${after.join(',')} (${after.includes(before[0]) ? 'NOT replaced' : 'replaced'})`,
)
