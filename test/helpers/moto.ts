import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { accessSync, constants } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { freePort } from './process.ts'

/**
 * Whether a tool a test needs is on PATH. Missing, the test skips with a one-line reason —
 * except under CI=true, where a missing tool is a failure.
 */
export function requireTool(name: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean)
  if (dirs.some((dir) => isExecutable(join(dir, name)))) return true
  if (process.env.CI === 'true') throw new Error(`${name} is required under CI but is not on PATH`)
  console.warn(`skipping: ${name} is not on PATH`)
  return false
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export interface Moto {
  endpoint: string
  /** Everything moto recorded (`ses.RawMessage`, `sns.SMS`, …). */
  data(): Promise<Record<string, Record<string, unknown[]>>>
  stop(): Promise<void>
}

/** A moto_server of this test file's own, on a free port. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort()
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  })
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`moto_server did not start on port ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    endpoint,
    async data() {
      return (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as Record<
        string,
        Record<string, unknown[]>
      >
    },
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

/**
 * A describe block with a moto_server of its own, started before its tests and stopped after;
 * skipped as `requireTool` says when moto_server is missing. `moto` is usable inside the tests.
 */
export function describeWithMoto(title: string, body: (moto: Moto) => void): void {
  describe.skipIf(!requireTool('moto_server'))(title, () => {
    let started: Moto | undefined
    beforeAll(async () => {
      started = await startMoto()
    }, 60_000)
    afterAll(() => started?.stop())
    const running = () => {
      if (!started) throw new Error('moto_server is not running: use it inside a test')
      return started
    }
    body({
      get endpoint() {
        return running().endpoint
      },
      data: () => running().data(),
      stop: () => running().stop(),
    })
  })
}

/** An AWS SDK client's settings for a moto_server. */
export const motoClientConfig = (moto: Moto) => ({
  endpoint: moto.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
})

/** The app's AWS settings pointed at a moto_server. */
export const motoEnv = (moto: Moto) => ({
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
})
