import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

export class DataDirLockedError extends Error {}

export interface DirectoryLock {
  release(): void
}

const LOCK_FILE = 'food-fleet.lock'

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function holderOf(path: string): { pid: number; host: string } | undefined {
  try {
    const [pid, host] = readFileSync(path, 'utf8').split('\n')
    return { pid: Number(pid), host: host ?? '' }
  } catch {
    return undefined
  }
}

/**
 * PGlite has no lock of its own and two processes on one directory silently lose data, so
 * every process (app, worker, CLI) holds this lock while the embedded database is open.
 * A lock left by a dead process on this host is taken over.
 */
export function lockDirectory(dir: string, purpose: string): DirectoryLock {
  const path = join(dir, LOCK_FILE)
  const content = `${process.pid}\n${hostname()}\n${purpose}\n`
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, content)
      closeSync(fd)
      return {
        release() {
          if (holderOf(path)?.pid === process.pid) unlinkSync(path)
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = holderOf(path)
    if (holder && (holder.host !== hostname() || isAlive(holder.pid))) {
      throw new DataDirLockedError(
        `The data directory ${dir} is in use by process ${holder.pid} on ${holder.host}. ` +
          'The embedded database allows one process: stop it first, or set DATABASE_URL to use PostgreSQL.',
      )
    }
    takeOverStale(path, holder?.pid)
  }
  throw new DataDirLockedError(
    `Could not lock the data directory ${dir}; another process keeps taking it`,
  )
}

/** Moves a dead holder's lock aside atomically; puts it back if a live process won the race. */
function takeOverStale(path: string, stalePid: number | undefined): void {
  const aside = `${path}.stale-${process.pid}`
  try {
    renameSync(path, aside)
  } catch {
    return
  }
  const moved = holderOf(aside)
  if (moved && moved.pid !== stalePid && isAlive(moved.pid)) {
    try {
      linkSync(aside, path)
    } catch {
      // a third process took the lock meanwhile; it is theirs now
    }
  }
  unlinkSync(aside)
}
