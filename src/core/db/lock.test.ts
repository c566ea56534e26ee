import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DataDirLockedError, lockDirectory } from './lock.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'food-fleet-lock-'))
const lockFile = (d: string) => join(d, 'food-fleet.lock')

describe('lockDirectory', () => {
  it('refuses a directory that a live process holds, naming it', () => {
    const d = dir()
    const holder = spawn('sleep', ['30'])
    try {
      writeFileSync(lockFile(d), `${holder.pid}\n${hostname()}\napp\n`)
      expect(() => lockDirectory(d, 'cli')).toThrow(DataDirLockedError)
      expect(() => lockDirectory(d, 'cli')).toThrow(`in use by process ${holder.pid}`)
    } finally {
      holder.kill()
    }
  })

  it('takes over a lock left by a process that died', () => {
    const d = dir()
    const dead = spawnSync('true').pid
    writeFileSync(lockFile(d), `${dead}\n${hostname()}\napp\n`)
    const lock = lockDirectory(d, 'app')
    expect(readFileSync(lockFile(d), 'utf8')).toMatch(new RegExp(`^${process.pid}\\n`))
    lock.release()
  })

  it('is free again once released', () => {
    const d = dir()
    lockDirectory(d, 'app').release()
    const again = lockDirectory(d, 'app')
    again.release()
  })
})
