import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanEnv, freePort, ROOT, startProcess, until, waitForHealthy } from './helpers/process.ts'

const START = ['bin/start.mjs']

async function failsToStart(env: Record<string, string>): Promise<string> {
  const started = startProcess(START, cleanEnv(env))
  const code = await started.exited
  expect(code).not.toBe(0)
  return started.output().trim()
}

describe('npm start with bad configuration', () => {
  it('exits non-zero with one line naming PORT', async () => {
    const output = await failsToStart({ PORT: 'abc' })
    expect(output.split('\n')).toHaveLength(1)
    expect(output).toMatch(/^Configuration error: PORT: /)
  })

  it('exits non-zero with one line naming DATABASE_URL', async () => {
    const output = await failsToStart({ DATABASE_URL: 'nonsense' })
    expect(output.split('\n')).toHaveLength(1)
    expect(output).toMatch(/^Configuration error: DATABASE_URL: /)
  })
})

describe('npm start on a port already in use', () => {
  it('exits non-zero with one line naming PORT only', async () => {
    const holder = createServer().listen(0, '127.0.0.1')
    await once(holder, 'listening')
    const { port } = holder.address() as { port: number }
    try {
      const output = await failsToStart({
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'food-fleet-port-')),
      })
      // Before it, at most the first start's generated superuser.
      expect(output).not.toContain('METRICS_PORT')
      expect(output.split('\n').at(-1)).toBe(
        `PORT=${port}: port ${port} on 127.0.0.1 is already in use: stop what holds it or choose another PORT`,
      )
    } finally {
      holder.close()
    }
  }, 60_000)
})

describe('npm start on the embedded database', () => {
  it('serves, refuses a second process on the same data directory, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-start-'))
    const port = await freePort()
    const first = startProcess(
      START,
      cleanEnv({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' }),
    )
    try {
      await waitForHealthy(port, 60_000)
      // Log lines reach the pipe asynchronously: /health can answer before this one arrives.
      const listening = `listening on http://localhost:${port} (embedded PostgreSQL in ${dataDir}, working jobs); API docs at http://localhost:${port}/docs`
      await until(() => (first.output().includes(listening) ? true : undefined), 10_000)

      const second = startProcess(
        START,
        cleanEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) }),
      )
      expect(await second.exited).not.toBe(0)
      expect(second.output()).toContain(`The data directory ${dataDir} is in use by process`)
      expect((await fetch(`http://127.0.0.1:${port}/health/detailed`)).status).toBe(200)

      first.child.kill('SIGTERM')
      expect(await first.exited).toBe(0)
      // Every line reaches a pipe, the last ones too.
      expect(first.output()).toContain('"msg":"stopped"')
    } finally {
      first.child.kill('SIGKILL')
    }

    const restarted = startProcess(START, cleanEnv({ DATA_DIR: dataDir, PORT: String(port) }))
    try {
      await waitForHealthy(port, 60_000)
      restarted.child.kill('SIGTERM')
      expect(await restarted.exited).toBe(0)
    } finally {
      restarted.child.kill('SIGKILL')
    }
  })
})

describe('npm start under a supervisor', () => {
  it('stops the server gracefully when the npm process itself gets SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-npm-'))
    const port = await freePort()
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: cleanEnv({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    npm.stdout.on('data', (chunk) => {
      output += chunk
    })
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)))
    try {
      await waitForHealthy(port, 60_000)
      npm.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(output).toContain('"msg":"stopped"')
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
    } finally {
      npm.kill('SIGKILL')
    }
  }, 90_000)
})
