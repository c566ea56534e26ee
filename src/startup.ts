import { type Config, ConfigError, loadConfig } from './config.ts'
import { DataDirLockedError } from './core/db/lock.ts'

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
  if (error instanceof DataDirLockedError) return error.message
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
