// `npm run bench`: the speed suite. The built server (npm start's command in production mode:
// dist/main.js with the start script's Node flags, as deployed) on PostgreSQL + Redis, pinned to
// core 0; wrk pinned to core 1; a hand-written node:http + pg baseline (bench/baseline.mjs), run
// alternately with the app, cache on and off (B A A' B A A' …) so a noisy machine affects all
// alike. Prints the table of medians with app/baseline ratios against the budgets, and writes it
// as JSON under bench/results/. See bench/README.md.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSigner } from 'fast-jwt'
import pg from 'pg'
import { APP, load, pinSelf, ROOT, startServer, stopServer } from './lib.mjs'
import {
  adminUser,
  benchAppEnv,
  createBenchDatabase,
  deleteBenchKeys,
  normalUser,
  scenarios,
  seed,
  tokensOf,
} from './scenarios.mjs'

const { DATABASE_URL, REDIS_URL, ...inherited } = process.env
// Servers get the services only where a scenario says so (S8 runs on the embedded database).
process.env = inherited
if (!DATABASE_URL || !REDIS_URL) {
  console.error('npm run bench needs DATABASE_URL and REDIS_URL (see bench/README.md)')
  process.exit(1)
}
const DURATION = Number(process.env.BENCH_DURATION ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 32
const pinned = pinSelf()

execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' })

const database = await createBenchDatabase(DATABASE_URL)
const SECRET_KEY = randomBytes(48).toString('base64')
const appEnv = (extra) => benchAppEnv(SECRET_KEY, extra)
const postgresEnv = {
  DATABASE_URL: database.url,
  REDIS_URL,
  REDIS_KEY_PREFIX: `ff-bench:${Date.now()}:`,
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024
}
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024
}

/**
 * Runs one scenario and records the server's peak RSS during it: the kernel's high-water mark is
 * reset first (clear_refs 5), after noting the peak so far (start-up, earlier scenarios).
 */
async function runScenario(server, scenario) {
  const { id, name, ...options } = scenario
  const pid = server.child.pid
  const peakBefore = peakRssMb(pid)
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
  const result = await load(server.url, {
    connections: CONNECTIONS,
    duration: DURATION,
    pid,
    ...options,
  })
  return { ...result, peakBefore, peakRss: peakRssMb(pid) }
}

// Seed once through the app, then alternate baseline and app.
const seeder = await startServer(APP, appEnv(postgresEnv))
const data = await seed(seeder)
await database.keepOnly(data.productIds)
await stopServer(seeder)

/** The sides measured each round, in this order. */
const SIDES = {
  baseline: () => startServer(['bench/baseline.mjs'], { DATABASE_URL: database.url, SECRET_KEY }),
  app: () => startServer(APP, appEnv(postgresEnv)),
  uncached: () => startServer(APP, appEnv({ ...postgresEnv, CACHE_ENABLED: 'false' })),
}
const results = { app: {}, baseline: {}, uncached: {} }
const peaks = { app: 0, baseline: 0, uncached: 0 }
for (let round = 1; round <= ROUNDS; round++) {
  for (const [side, start] of Object.entries(SIDES)) {
    const server = await start()
    const tokens = await tokensOfFor(side, server)
    for (const scenario of scenarios(data, tokens)) {
      const result = await runScenario(server, scenario)
      if (scenario.id === 'S5') await database.keepOnly(data.productIds)
      peaks[side] = Math.max(peaks[side], result.peakBefore, result.peakRss)
      results[side][scenario.id] = [...(results[side][scenario.id] ?? []), result]
      process.stderr.write(
        `round ${round} ${side} ${scenario.id}: ${Math.round(result.rps)} req/s, wrk ${Math.round(100 * result.generatorBusy)} % of a core, load core ${Math.round(100 * result.loadCoreBusy)} %\n`,
      )
    }
    peaks[side] = Math.max(peaks[side], peakRssMb(server.child.pid))
    if (side === 'app' && round === ROUNDS) {
      // Memory across 5 rounds of S2 + S4 on one process.
      const [, s2, , s4] = scenarios(data, tokens)
      results.memory = []
      for (let i = 0; i < 5; i++) {
        for (const scenario of [s2, s4]) {
          await load(server.url, { ...scenario, duration: 3, warmup: 0 })
        }
        results.memory.push(rssMb(server.child.pid))
      }
      peaks.app = Math.max(peaks.app, peakRssMb(server.child.pid))
    }
    await stopServer(server)
  }
}

async function tokensOfFor(side, server) {
  if (side !== 'baseline') return tokensOf(server)
  // The baseline has no login route for the admin: tokens from an app-compatible signer.
  const sign = createSigner({ key: SECRET_KEY, algorithm: 'HS256' })
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  const { rows } = await client.query('select id, email from users where email = any($1)', [
    [adminUser.email, normalUser.email],
  ])
  await client.end()
  const idOf = (email) => rows.find((row) => row.email === email).id
  const now = Math.floor(Date.now() / 1000)
  const token = (id) =>
    sign({ sub: String(id), jti: String(now), type: 'access', iat: now, exp: now + 3600 })
  return { adminToken: token(idOf(adminUser.email)), userToken: token(idOf(normalUser.email)) }
}

// S8: S2 on the embedded PGlite database.
const embedded = await startServer(APP, appEnv({ CACHE_ENABLED: 'false' }))
await seed(embedded)
results.S8 = await load(embedded.url, {
  path: '/api/v1/products/?limit=20',
  connections: CONNECTIONS,
  duration: DURATION,
  pid: embedded.child.pid,
})
const embeddedPeak = peakRssMb(embedded.child.pid)
await stopServer(embedded)

await database.drop()
await deleteBenchKeys(REDIS_URL, postgresEnv.REDIS_KEY_PREFIX)

const median = (runs, key) => {
  const values = runs.map((run) => run[key]).sort((a, b) => a - b)
  const middle = Math.floor(values.length / 2)
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2
}
/** Each scenario's budget: against the baseline, on the app with its cache on or off. */
const BUDGET = {
  S1: { side: 'app', ratio: 0.8 },
  S2: { side: 'uncached', ratio: 0.8 },
  S3: { side: 'uncached', ratio: 0.8 },
  S4: { side: 'app', ratio: 0.8 },
  S5: { side: 'app', ratio: 0.8 },
  S6: { side: 'app', ratio: 0.85 },
  S7: { side: 'uncached', ratio: 0.6 },
}
const TAIL = ['S2', 'S3', 'S4', 'S5']
const busiest = (id, key) =>
  Math.max(...Object.keys(SIDES).flatMap((side) => results[side][id].map((run) => run[key])))
const rows = []
for (const scenario of scenarios(data, { userToken: '', adminToken: '' })) {
  const base = results.baseline[scenario.id]
  const budget = BUDGET[scenario.id]
  const measured = results[budget.side][scenario.id]
  const ratioOf = (side) => median(results[side][scenario.id], 'rps') / median(base, 'rps')
  const p50 = median(measured, 'p50')
  const p99 = median(measured, 'p99')
  rows.push({
    id: scenario.id,
    name: scenario.name,
    baseline: Math.round(median(base, 'rps')),
    app: Math.round(median(results.app[scenario.id], 'rps')),
    appRatio: ratioOf('app'),
    uncached: Math.round(median(results.uncached[scenario.id], 'rps')),
    uncachedRatio: ratioOf('uncached'),
    budget: `${budget.side === 'app' ? 'cache on' : 'cache off'} ≥ ${budget.ratio}`,
    pass: ratioOf(budget.side) >= budget.ratio,
    p50,
    p99,
    tailPass: TAIL.includes(scenario.id) ? p99 <= 3 * p50 : null,
    baseTail: median(base, 'p99') / median(base, 'p50'),
    generator: busiest(scenario.id, 'generatorBusy'),
    loadCore: busiest(scenario.id, 'loadCoreBusy'),
    errors: ['app', 'uncached'].reduce(
      (sum, side) =>
        sum + results[side][scenario.id].reduce((n, run) => n + run.non2xx + run.errors, 0),
      0,
    ),
    peakRss: Math.max(...measured.map((run) => run.peakRss)),
  })
}
const s8Pass = results.S8.rps >= 1000
const memory = results.memory
const growth = memory.at(-1) / memory[0]
const peakApp = Math.max(peaks.app, peaks.uncached)

const fixed = (value, digits = 2) => value.toFixed(digits)
const percent = (value) => `${Math.round(100 * value)} %`
const met = (pass) => (pass === null ? '—' : pass ? 'yes' : 'NO')
console.log(
  `Food Fleet bench: wrk, 1 thread, ${CONNECTIONS} connections, ${DURATION} s per run after 2 s of warm-up, median of ${ROUNDS} rounds (baseline, app, app with CACHE_ENABLED=false, alternating); ${pinned ? 'servers on core 0, wrk on core 1' : 'unpinned (no taskset)'}`,
)
console.log(
  '| scenario | baseline req/s | app req/s | app/baseline | app cache off req/s | cache off/baseline | budget | met | p50 ms | p99 ms | p99 ≤ 3 × p50 | baseline p99/p50 | wrk CPU / load core CPU (max) | non-2xx+errors | peak RSS MB |',
)
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for (const row of rows) {
  console.log(
    `| ${row.id} ${row.name} | ${row.baseline} | ${row.app} | ${fixed(row.appRatio)} | ${row.uncached} | ${fixed(row.uncachedRatio)} | ${row.budget} | ${met(row.pass)} | ${fixed(row.p50, 3)} | ${fixed(row.p99, 3)} | ${met(row.tailPass)} | ${fixed(row.baseTail, 1)} | ${percent(row.generator)} / ${percent(row.loadCore)} | ${row.errors} | ${fixed(row.peakRss, 0)} |`,
  )
}
console.log(
  `| S8 S2 on PGlite, cache off | — | — | — | ${Math.round(results.S8.rps)} | — | ≥ 1000 req/s | ${met(s8Pass)} | ${fixed(results.S8.p50, 3)} | ${fixed(results.S8.p99, 3)} | — | — | ${percent(results.S8.generatorBusy)} / ${percent(results.S8.loadCoreBusy)} | ${results.S8.non2xx + results.S8.errors} | ${fixed(embeddedPeak, 0)} |`,
)
console.log(
  `peak RSS ≤ 150 MB, on PostgreSQL: app ${fixed(peaks.app, 0)} MB, app cache off ${fixed(peaks.uncached, 0)} MB (baseline ${fixed(peaks.baseline, 0)} MB) — ${met(peakApp <= 150)}; on PGlite (the database in the process): ${fixed(embeddedPeak, 0)} MB — ${met(embeddedPeak <= 150)}`,
)
console.log(
  `no growth over 5 rounds of S2 + S4: RSS ${memory.map((mb) => fixed(mb, 0)).join(', ')} MB, last/first ${fixed(growth)} — ${met(growth <= 1.1)}`,
)
const cpuPerRequest = (side, id) =>
  `${fixed(median(results[side][id], 'cpuMs'), 3)} ms (${fixed(median(results[side][id], 'loopCpuMs'), 3)} on the event loop)`
console.log('server CPU per request, app / app cache off / baseline:')
for (const row of rows) {
  console.log(
    `  ${row.id}: ${cpuPerRequest('app', row.id)} / ${cpuPerRequest('uncached', row.id)} / ${cpuPerRequest('baseline', row.id)}`,
  )
}

mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
const file = join(ROOT, 'bench/results', `${new Date().toISOString().replaceAll(':', '-')}.json`)
writeFileSync(
  file,
  JSON.stringify(
    {
      rows,
      peaks,
      embeddedPeak,
      memory,
      duration: DURATION,
      rounds: ROUNDS,
      raw: results,
    },
    null,
    2,
  ),
)
console.log(`results: ${file}`)
