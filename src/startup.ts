import { setFlagsFromString } from 'node:v8'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { DataDirLockedError } from './core/db/lock.ts'
import { RedisUnreachableError } from './core/redis.ts'

/**
 * A long-running process (server, worker) lets V8's old generation grow by at most 50 % between
 * major collections, where V8 would otherwise allow up to 4× while collecting is fast. The
 * app's live set is small (~30 MB), so the default let a burst of traffic take the heap far past
 * it before a collection: `npm run bench` peaked at 163–169 MB RSS with the default and 127–130 MB
 * with this, at the same throughput. Node refuses the flag in NODE_OPTIONS, so it is set here,
 * at start-up; V8 reads it at each collection.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50')
}

/** Stops the process with one line on stderr: the reason, no stack trace. */
export function exitWith(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

export function loadConfigOrExit(): Config {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) exitWith(`Configuration error: ${error.message}`)
    throw error
  }
}

/** Errors a user can fix (a held data directory, an unreachable database) as one line each. */
export function explainStartupError(error: unknown): string | undefined {
  if (error instanceof DataDirLockedError || error instanceof RedisUnreachableError) {
    return error.message
  }
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).code
  const causeCode = (error as { cause?: { code?: unknown } }).cause?.code
  const networkCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET']
  if (networkCodes.includes(String(code)) || networkCodes.includes(String(causeCode))) {
    return `Cannot reach the database (${String(code ?? causeCode)}): check DATABASE_URL`
  }
  if (code === '3D000' || code === '28P01' || code === '28000') {
    return `The database refused the connection: ${(error as Error).message} (check DATABASE_URL)`
  }
  return undefined
}
