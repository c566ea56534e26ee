import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanEnv, ROOT, startProcess } from './helpers/process.ts'

const CLI = 'bin/food-fleet.mjs'

async function run(args: string[], env: Record<string, string>) {
  const started = startProcess([CLI, ...args], cleanEnv(env))
  return { code: await started.exited, output: started.output() }
}

describe('food-fleet CLI', () => {
  it('lists its commands', async () => {
    const { code, output } = await run(['help'], {})
    expect(code).toBe(0)
    for (const command of ['migrate', 'seed', 'create-superuser']) expect(output).toContain(command)
  })

  it('migrates, seeds (demo catalogue idempotently) and creates a superuser, refusing a duplicate', async () => {
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'food-fleet-cli-')),
      ARGON2_MEMORY_KIB: '1024',
    }
    expect((await run(['migrate'], env)).code).toBe(0)
    expect((await run(['seed'], env)).code).toBe(0)
    const demo = await run(['seed', '--demo'], env)
    expect(demo.output).toContain('Demo catalogue: 5 categories, 30 products added')
    const again = await run(['seed', '--demo'], env)
    expect(again.output).toContain('Demo catalogue: 5 categories, 0 products added')
    const args = ['create-superuser', '--email', 'chief@example.com', '--password', 'Chief-pass-1']
    const created = await run(args, env)
    expect(created.output).toContain('Superuser chief@example.com')
    expect(created.code).toBe(0)
    const duplicate = await run(args, env)
    expect(duplicate.code).toBe(1)
    expect(duplicate.output).toContain('already exists')
  })

  it('reads the email and password of a superuser from a pipe, and says what is missing', async () => {
    const env = cleanEnv({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'food-fleet-cli-')),
      ARGON2_MEMORY_KIB: '1024',
    })
    const piped = async (input: string) => {
      const child = spawn(process.execPath, [CLI, 'create-superuser'], { cwd: ROOT, env })
      let output = ''
      child.stdout.on('data', (chunk) => {
        output += chunk
      })
      child.stderr.on('data', (chunk) => {
        output += chunk
      })
      child.stdin.end(input)
      const code = await new Promise((resolve) => child.on('exit', resolve))
      return { code, output }
    }
    const missing = await piped('only-an-email@example.com\n')
    expect(missing.code).toBe(1)
    expect(missing.output.trim()).toBe(
      'Cannot create the superuser: expected the email and the password on standard input, one per line (or pass --email and --password)',
    )
    const created = await piped('piped@example.com\nPiped-pass-1\n')
    expect(created.code, created.output).toBe(0)
    expect(created.output).toContain('Superuser piped@example.com')
  }, 60_000)

  it('sends a test email and a test SMS through the configured transports, printing their ids', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-cli-'))
    const email = await run(['send-test-email', '--to', 'ops@example.com'], { DATA_DIR: dataDir })
    expect(email.code, email.output).toBe(0)
    expect(email.output).toMatch(/^Email sent through log: <.+>$/m)
    expect(readdirSync(join(dataDir, 'mail'))).toHaveLength(1)
    const sms = await run(['send-test-sms', '--to', '+14155550123'], { DATA_DIR: dataDir })
    expect(sms.output).toMatch(/^SMS sent through log: [0-9a-f-]{36}$/m)
    const bad = await run(['send-test-sms', '--to', '12345'], { DATA_DIR: dataDir })
    expect(bad.code).toBe(1)
    expect(bad.output).toContain('--to must be an E.164 number')
  })

  it('rejects an unknown command', async () => {
    const { code, output } = await run(['frobnicate'], {})
    expect(code).not.toBe(0)
    expect(output).toContain('Unknown command "frobnicate"')
  })
})
