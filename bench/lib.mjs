// Shared by the benchmark scripts: start a server pinned to one core, wait for it, load it
// with autocannon from this process (pinned to the other core), stop it.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import autocannon from 'autocannon'

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

/** Pins this process (the load generator) to core 1; servers run on core 0. */
export function pinSelf() {
  if (hasTaskset) execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' })
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

/** Starts the app on a free port, pinned to core 0 unless `pin` is false (a cluster needs both). */
export async function startServer(args, env, { pin = true } = {}) {
  const port = await freePort()
  const pinned = pin && hasTaskset
  const command = pinned ? 'taskset' : process.execPath
  const argv = pinned ? ['-c', '0', process.execPath, ...args] : args
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
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
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/**
 * Loads `url` after a warm-up. Besides requests/s it reports requests per CPU-second of the
 * server (`pid`): what one saturated core delivers, which a noisy shared machine disturbs far
 * less than wall-clock throughput.
 */
export async function load(url, { connections = 32, duration = 5, warmup = 2, pid, ...rest } = {}) {
  await autocannon({ url, connections, duration: warmup, ...rest })
  const cpuBefore = pid ? cpuSeconds(pid) : Number.NaN
  const loopCpuBefore = pid ? cpuSeconds(pid, pid) : Number.NaN
  const latencies = latencyHistogram()
  const run = autocannon({ url, connections, duration, ...rest })
  run.on('response', (_client, statusCode, _bytes, ms) => latencies.record(statusCode, ms))
  const result = await run
  const cpu = pid ? cpuSeconds(pid) - cpuBefore : Number.NaN
  const loopCpu = pid ? cpuSeconds(pid, pid) - loopCpuBefore : Number.NaN
  return {
    rps: result.requests.average,
    perCpuSecond: result.requests.total / cpu,
    /** CPU ms per request: the whole server, and its event loop alone. */
    cpuMs: (1000 * cpu) / result.requests.total,
    loopCpuMs: (1000 * loopCpu) / result.requests.total,
    p50: latencies.percentile(50),
    p99: latencies.percentile(99),
    non2xx: result.non2xx,
    errors: result.errors,
  }
}

const LATENCY_STEPS_PER_MS = 100
const LATENCY_MAX_MS = 10_000

/**
 * Latencies of 2xx answers in 10 µs steps. autocannon's own percentiles are whole milliseconds,
 * which reads 0 for a p50 under half a millisecond and makes "p99 ≤ 3 × p50" meaningless.
 */
function latencyHistogram() {
  const counts = new Uint32Array(LATENCY_MAX_MS * LATENCY_STEPS_PER_MS + 1)
  let total = 0
  return {
    record(statusCode, ms) {
      if (statusCode < 200 || statusCode >= 300) return
      counts[Math.min(Math.round(ms * LATENCY_STEPS_PER_MS), counts.length - 1)]++
      total++
    },
    /** The latency in ms below which `percent` % of the answers came. */
    percentile(percent) {
      const rank = Math.ceil((total * percent) / 100)
      let seen = 0
      for (let step = 0; step < counts.length; step++) {
        seen += counts[step]
        if (seen >= rank && seen > 0) return step / LATENCY_STEPS_PER_MS
      }
      return Number.NaN
    },
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
