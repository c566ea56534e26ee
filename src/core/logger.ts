import pino, { type Logger } from 'pino'
import type { Config } from '../config.ts'
import { databaseErrorCode } from './db/errors.ts'

export type { Logger }

/** Keys whose values never reach a log, at any depth of a logged object. */
const SENSITIVE_KEYS = new Set(
  [
    'password',
    'current_password',
    'new_password',
    'password_hash',
    'passwordhash',
    'token',
    'access_token',
    'refresh_token',
    'challenge_token',
    'token_hash',
    'code',
    'secret',
    'secret_key',
    'aws_secret_access_key',
    'authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
  ].map((key) => key.toLowerCase()),
)
const CENSOR = '[redacted]'
const MAX_DEPTH = 6

/**
 * Returns the object with every sensitive value replaced, copying only what it changes. A walk
 * over the few keys of a typical log line costs far less than pino's path-based redaction
 * with wildcards, which halved the throughput of a busy server.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    value.forEach((item, index) => {
      const redacted = redactSecrets(item, depth + 1)
      if (redacted !== item) {
        copy ??= [...value]
        copy[index] = redacted
      }
    })
    return copy ?? value
  }
  if (value instanceof Error || value instanceof Date || Buffer.isBuffer(value)) return value
  let copy: Record<string, unknown> | undefined
  for (const [key, item] of Object.entries(value)) {
    const redacted =
      SENSITIVE_KEYS.has(key.toLowerCase()) && item != null
        ? CENSOR
        : redactSecrets(item, depth + 1)
    if (redacted !== item) {
      copy ??= { ...value }
      copy[key] = redacted
    }
  }
  return copy ?? value
}

/** What a failed query may log: names, never values. */
const DATABASE_ERROR_NAMES = ['severity', 'routine', 'schema', 'table', 'column', 'constraint']

/**
 * A failed query as a log may hold it: the statement's shape, PostgreSQL's error code and the
 * names it gives, and where it was thrown. Not its parameters, nor PostgreSQL's message and
 * detail, which quote the values they refused (a search text, a login e-mail).
 */
function queryFailure(error: Error, query: string | undefined) {
  const names: Record<string, unknown> = {}
  let cause: unknown = error
  for (let depth = 0; depth < 3 && cause && typeof cause === 'object'; depth++) {
    for (const name of DATABASE_ERROR_NAMES) {
      const value = (cause as Record<string, unknown>)[name]
      if (typeof value === 'string' && !(name in names)) names[name] = value
    }
    cause = (cause as { cause?: unknown }).cause
  }
  const message = query === undefined ? 'Database error' : `Failed query: ${query}`
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))
  return {
    type: 'DatabaseError',
    message,
    code: databaseErrorCode(error),
    ...names,
    stack: [`DatabaseError: ${message}`, ...frames].join('\n'),
  }
}

/** pino's error serializer, with database errors reduced to what `queryFailure` keeps. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const query = (error as { query?: unknown }).query
  if (typeof query === 'string') return queryFailure(error, query)
  // node-postgres and PGlite errors name their severity; only they do.
  if (typeof (error as { severity?: unknown }).severity === 'string') {
    return queryFailure(error, undefined)
  }
  return pino.stdSerializers.err(error)
}

export function createLogger(
  config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV' | 'APP_NAME'>,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { app: config.APP_NAME },
    serializers: { err: serializeError },
    formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
  }
  if (destination) return pino(options, destination)
  if (config.NODE_ENV === 'development' && process.stdout.isTTY) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    })
  }
  // Asynchronous writes, each line sent at once (lines written while a write is in flight go out
  // together): a file, a pipe or journald sees every line as it happens, and pino flushes what
  // is pending when the process exits.
  return pino(options, pino.destination({ dest: 1, sync: false }))
}
