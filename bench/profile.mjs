// `node bench/profile.mjs <scenario> [--cache-off]`: where the server's CPU goes in one scenario
// of `npm run bench`. Runs the built app (on PostgreSQL + Redis with DATABASE_URL and REDIS_URL,
// else on the embedded database) under V8's sampling profiler (`--cpu-prof`) while wrk loads it,
// and prints the functions and packages that took the most CPU. The profile file is kept for a
// flame graph (Chrome DevTools, speedscope). See bench/README.md.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP, load, pinSelf, ROOT, startServer, stopServer } from './lib.mjs'
import {
  benchAppEnv,
  createBenchDatabase,
  deleteBenchKeys,
  scenarios,
  seed,
  tokensOf,
} from './scenarios.mjs'

const [id = 'S2', ...flags] = process.argv.slice(2)
const { DATABASE_URL, REDIS_URL } = process.env
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
pinSelf()
execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' })

const database = DATABASE_URL ? await createBenchDatabase(DATABASE_URL) : undefined
const prefix = `ff-bench:${Date.now()}:`
const env = benchAppEnv(randomBytes(48).toString('base64'), {
  ...(database ? { DATABASE_URL: database.url } : {}),
  ...(REDIS_URL ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}),
  ...(flags.includes('--cache-off') ? { CACHE_ENABLED: 'false' } : {}),
})

const seeder = await startServer(APP, env)
const data = await seed(seeder)
await stopServer(seeder)

const profiles = mkdtempSync(join(tmpdir(), 'food-fleet-profile-'))
const [nodeFlags, main] = [APP.slice(0, -1), APP.at(-1)]
const server = await startServer(
  [...nodeFlags, '--cpu-prof', `--cpu-prof-dir=${profiles}`, main],
  env,
)
const scenario = scenarios(data, await tokensOf(server)).find((entry) => entry.id === id)
if (!scenario) throw new Error(`no scenario ${id}`)
const result = await load(server.url, { ...scenario, duration: DURATION, pid: server.child.pid })
await stopServer(server)
await database?.drop()
if (REDIS_URL) await deleteBenchKeys(REDIS_URL, prefix)

const file = join(profiles, readdirSync(profiles)[0])
const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(nodes.map((node) => [node.id, node]))
const selfUs = new Map()
samples.forEach((sample, index) => {
  selfUs.set(sample, (selfUs.get(sample) ?? 0) + (timeDeltas[index] ?? 0))
})
const where = ({ url }) =>
  url.includes('node_modules/')
    ? url
        .split('node_modules/')
        .at(-1)
        .split('/')
        .slice(0, url.includes('/@') ? 2 : 1)
        .join('/')
    : url.startsWith('node:')
      ? 'node'
      : url.replace(`file://${ROOT}`, '') || '(native)'
const functions = new Map()
const packages = new Map()
let busy = 0
for (const [nodeId, us] of selfUs) {
  const { callFrame } = byId.get(nodeId)
  if (callFrame.functionName === '(idle)') continue
  busy += us
  const name = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(`file://${ROOT}`, '')}:${callFrame.lineNumber + 1}`
  functions.set(name, (functions.get(name) ?? 0) + us)
  packages.set(where(callFrame), (packages.get(where(callFrame)) ?? 0) + us)
}
const top = (map, count) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n')
console.log(
  `${id} ${scenario.name}${flags.length ? ` ${flags.join(' ')}` : ''}: ${Math.round(result.rps)} req/s, ${result.cpuMs.toFixed(3)} ms of CPU per request (${result.loopCpuMs.toFixed(3)} on the event loop)`,
)
console.log(
  `\nself time by package or file (of the main thread's busy time):\n${top(packages, 15)}`,
)
console.log(`\nself time by function:\n${top(functions, 30)}`)
console.log(`\nprofile: ${file}`)
