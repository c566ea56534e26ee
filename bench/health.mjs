// GET /health in the full app against bare Fastify with the same route, alternated A B A B
// so a noisy machine affects both alike. Prints requests/s, requests per CPU-second, latency and
// the app/bare ratios. The app runs on DATABASE_URL / REDIS_URL when set, else embedded.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP, load, pinSelf, startServer, stopServer } from './lib.mjs'

const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const duration = Number(process.env.BENCH_DURATION ?? 5)
const pinned = pinSelf()
const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-bench-'))
const { DATABASE_URL, REDIS_URL, ...cleanEnv } = process.env
process.env = cleanEnv
const services = {
  ...(DATABASE_URL ? { DATABASE_URL } : {}),
  ...(REDIS_URL ? { REDIS_URL } : {}),
}

const targets = {
  bare: { args: ['bench/bare-fastify.mjs'], env: {} },
  app: {
    args: APP,
    env: { DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', ...services },
  },
}
const results = { bare: [], app: [] }
for (let round = 1; round <= rounds; round++) {
  for (const [name, target] of Object.entries(targets)) {
    const server = await startServer(target.args, target.env)
    const result = await load(server.url, { path: '/health', duration, pid: server.child.pid })
    await stopServer(server)
    results[name].push(result)
    console.log(
      `round ${round} ${name.padEnd(4)} ${result.rps.toFixed(0).padStart(7)} req/s ${result.perCpuSecond.toFixed(0).padStart(7)} req/CPU-s  p50 ${result.p50} ms  p99 ${result.p99} ms  non-2xx ${result.non2xx}`,
    )
  }
}
rmSync(dataDir, { recursive: true, force: true })

const median = (list, key) => {
  const sorted = list.map((r) => r[key]).sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const bare = median(results.bare, 'rps')
const app = median(results.app, 'rps')
const bareCpu = median(results.bare, 'perCpuSecond')
const appCpu = median(results.app, 'perCpuSecond')
console.log(
  `\nGET /health on ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, 32 connections, ${duration} s x ${rounds} rounds${pinned ? ', server on core 0, load on core 1' : ''}`,
)
console.log(
  `medians: bare Fastify ${bare.toFixed(0)} req/s | Food Fleet ${app.toFixed(0)} req/s | ratio ${(app / bare).toFixed(2)}`,
)
console.log(
  `per CPU-second of the server: bare ${bareCpu.toFixed(0)} | Food Fleet ${appCpu.toFixed(0)} | ratio ${(appCpu / bareCpu).toFixed(2)} (budget >= 0.70)`,
)
