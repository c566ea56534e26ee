import { setFlagsFromString } from 'node:v8'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { DataDirLockedError } from './core/db/lock.ts'
import { createLogger, type Logger } from './core/logger.ts'
import { RedisUnreachableError } from './core/redis.ts'

/**
 * A long-running process (server, worker) lets V8's old generation grow by at most 50 % between
 * major collections, where V8 would otherwise allow up to 4× while collecting is fast: the app's
 * live set is small, and the default let a burst of traffic take the heap far past it before a
 * collection (bench/README.md). Node refuses the flag in NODE_OPTIONS, so it is set here, at
 * start-up; V8 reads it at each collection.
 */
function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50')
}

/** The start of a long-running process (server, worker): its heap bound, config and logger. */
export function startLongRunningProcess(): { config: Config; logger: Logger } {
  boundHeapGrowth()
  const config = loadConfigOrExit()
  return { config, logger: createLogger(config) }
}

/**
 * Stops the process gracefully on SIGTERM or SIGINT, once: logs `stopping`, runs `stop`, logs
 * `stopped` and exits 0 — or logs why it failed and exits 1. `isStopping()` says whether a
 * signal has come.
 */
export function stopOnSignal(
  logger: Logger,
  messages: { stopping: string; stopped: string },
  stop: () => Promise<void>,
): { isStopping(): boolean } {
  let stopping = false
  async function onSignal(signal: NodeJS.Signals): Promise<void> {
    if (stopping) return
    stopping = true
    logger.info({ signal }, messages.stopping)
    try {
      await stop()
      logger.info(messages.stopped)
      logger.flush()
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      logger.flush()
      process.exit(1)
    }
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (received) => void onSignal(received))
  }
  return { isStopping: () => stopping }
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

/** Exits with one line for an error a user can fix; anything else is thrown on, with its stack. */
export function exitOnStartupError(error: unknown): never {
  const explained = explainStartupError(error)
  if (explained) exitWith(explained)
  throw error
}

/** Errors a user can fix (a held data directory, an unreachable database) as one line each. */
function explainStartupError(error: unknown): string | undefined {
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
