// Shared by the benchmark scripts: start a server pinned to one core, wait for it, load it with
// wrk pinned to the other core, stop it.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = new URL('..', import.meta.url).pathname

/** The app exactly as `npm start` runs it (Node flags included), minus npm and `exec node`. */
const START = JSON.parse(
  readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8'),
).scripts.start.split(' ')
export const APP = START.slice(START.indexOf('node') + 1)

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** Linux's USER_HZ: /proc reports CPU times in these ticks. */
const CLOCK_TICKS = 100

/** Servers run on core 0, the load generator (wrk) and this script on core 1. */
const SERVER_CORE = 0
const LOAD_CORE = 1

ensureWrk()

/** Pins this process to the load core; returns whether servers and load are pinned. */
export function pinSelf() {
  if (hasTaskset) {
    execFileSync('taskset', ['-pc', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' })
  }
  return hasTaskset
}

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

/** Servers still running: killed if the script ends early (an error), so none is left behind. */
const running = new Set()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Starts the app on a free port, pinned to core 0 unless `pin` is false (a cluster needs both). */
export async function startServer(args, env, { pin = true } = {}) {
  const port = await freePort()
  const pinned = pin && hasTaskset
  const command = pinned ? 'taskset' : process.execPath
  const argv = pinned ? ['-c', String(SERVER_CORE), process.execPath, ...args] : args
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { port, child, url: `http://127.0.0.1:${port}` }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`server ${args.join(' ')} did not become healthy`)
}

export async function stopServer(server) {
  server.child.kill('SIGTERM')
  await once(server.child, 'exit')
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); with `thread`, one
 * of its threads only (the process id names its main thread: the event loop).
 */
export function cpuSeconds(pid, thread) {
  try {
    const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

/** wrk (Debian's package), installed when missing and this process may (root). */
function ensureWrk() {
  const found = () => {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' })
      return true
    } catch (error) {
      // `wrk --version` prints its usage and exits 1.
      return error.code !== 'ENOENT'
    }
  }
  if (found()) return
  if (process.getuid?.() === 0) {
    execFileSync(
      'sh',
      ['-c', 'apt-get install -y wrk || (apt-get update && apt-get install -y wrk)'],
      {
        stdio: 'ignore',
      },
    )
  }
  if (!found()) throw new Error('the benchmarks need wrk: apt-get install -y wrk')
}

const lua = (value) => JSON.stringify(String(value))

/**
 * The wrk script of a load: its request (one path, or a random one of `paths` per request) and a
 * `done` hook that prints wrk's own figures as one JSON line (latencies in µs).
 */
function wrkScript({ method, paths, headers, body }) {
  const headerLines = Object.entries(headers)
    .map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`)
    .join('\n')
  return `wrk.method = ${lua(method)}
${body === undefined ? '' : `wrk.body = ${lua(body)}`}
${headerLines}
local paths = { ${paths.map(lua).join(', ')} }
if #paths > 1 then
  request = function()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end
-- wrk's own CPU time so far (user + system clock ticks), from /proc/self/stat.
local function cpu_ticks()
  local stat = io.open('/proc/self/stat'):read('*a')
  local fields = {}
  for field in stat:gsub('^.*%) ', ''):gmatch('%S+') do fields[#fields + 1] = field end
  return tonumber(fields[12]) + tonumber(fields[13])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"cpuTicks":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    cpu_ticks()))
end
`
}

/** Busy and total jiffies of one CPU core, from /proc/stat. */
function coreJiffies(core) {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(`cpu${core} `))
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

async function runWrk(url, { connections, duration, script, timeout }) {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-wrk-'))
  const file = join(dir, 'load.lua')
  writeFileSync(file, script)
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${duration}s`,
    `--timeout=${timeout}s`,
    '-s',
    file,
    url,
  ]
  const command = hasTaskset ? 'taskset' : 'wrk'
  const argv = hasTaskset ? ['-c', String(LOAD_CORE), 'wrk', ...args] : args
  try {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    const [code] = await once(child, 'exit')
    const line = output.split('\n').find((row) => row.startsWith('WRK '))
    if (code !== 0 || !line) throw new Error(`wrk failed (${code}): ${output}`)
    return JSON.parse(line.slice(4))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Loads a server with wrk (one thread on the load core) after a warm-up: `path`, or a random one
 * of `paths` per request. Besides requests/s and wrk's latency percentiles it reports the server's
 * CPU per request (`pid`: the whole process, and its event loop alone) and how busy the load core
 * was, which must stay well under 100 % for the figures to be the server's.
 */
export async function load(
  baseUrl,
  {
    path = '/',
    paths = [path],
    method = 'GET',
    headers = {},
    body,
    connections = 32,
    duration = 5,
    warmup = 2,
    timeout = 10,
    pid,
  } = {},
) {
  const script = wrkScript({ method, paths, headers, body })
  const url = `${baseUrl}${paths[0]}`
  if (warmup > 0) await runWrk(url, { connections, duration: warmup, script, timeout })
  const cpuBefore = pid ? cpuSeconds(pid) : Number.NaN
  const loopCpuBefore = pid ? cpuSeconds(pid, pid) : Number.NaN
  const coreBefore = coreJiffies(LOAD_CORE)
  const result = await runWrk(url, { connections, duration, script, timeout })
  const coreAfter = coreJiffies(LOAD_CORE)
  const cpu = pid ? cpuSeconds(pid) - cpuBefore : Number.NaN
  const loopCpu = pid ? cpuSeconds(pid, pid) - loopCpuBefore : Number.NaN
  return {
    rps: result.requests / (result.us / 1e6),
    requests: result.requests,
    /** Requests per CPU-second of the server: what one saturated core delivers. */
    perCpuSecond: result.requests / cpu,
    /** CPU ms per request: the whole server, and its event loop alone. */
    cpuMs: (1000 * cpu) / result.requests,
    loopCpuMs: (1000 * loopCpu) / result.requests,
    /**
     * wrk's CPU time over the run's time, 0–1 (its start-up included): well under 1, or the
     * figures are the load generator's, not the server's.
     */
    generatorBusy: result.cpuTicks / CLOCK_TICKS / (result.us / 1e6),
    /** How busy the load core was, 0–1: wrk and whatever else ran there (the database). */
    loadCoreBusy: (coreAfter.busy - coreBefore.busy) / (coreAfter.total - coreBefore.total),
    p50: result.p50 / 1000,
    p90: result.p90 / 1000,
    p99: result.p99 / 1000,
    non2xx: result.status,
    errors: result.connect + result.read + result.write + result.timeout,
    timeouts: result.timeout,
  }
}

/** A JSON call to a started server; throws on any status but 2xx. */
export async function api(server, method, path, body, token) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}
