import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

export const ROOT = new URL('../..', import.meta.url).pathname

/** The production image's command (its `CMD`, in exec form): `node`, its flags, the entry. */
export function imageCommand(): string[] {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8')
  return JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]')
}

export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** The environment of a user's shell: no services unless the test names them. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, REDIS_URL: _redis, VITEST: _v, NODE_ENV: _n, ...rest } = process.env
  return { ...rest, LOG_LEVEL: 'warn', ...extra }
}

export interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

export function startProcess(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Started {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

export async function waitForHealthy(port: number, timeoutMs = 30_000): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < timeoutMs) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`)
      if (response.ok) return performance.now() - started
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nothing healthy on port ${port} after ${timeoutMs} ms`)
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms of waiting`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/**
 * Whether the services a test needs are configured; when not, says so in one line. The first
 * `npm test` pass runs without them (`.ci/run` runs a second pass with both).
 */
export function servicesSet(what: string, ...names: ('DATABASE_URL' | 'REDIS_URL')[]): boolean {
  const missing = names.filter((name) => !process.env[name])
  if (missing.length === 0) return true
  console.warn(`skipping ${what}: ${missing.join(' and ')} not set`)
  return false
}
