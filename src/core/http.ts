import { randomBytes } from 'node:crypto'
import { type IncomingMessage, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import cors from '@fastify/cors'
import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify'
import pino from 'pino'
import type { Config } from '../config.ts'
import { ALLOWED_METHODS, errorHandler, notFoundHandler, problem } from './errors.ts'
import { installJsonBodyParser } from './json-body.ts'
import type { Logger } from './logger.ts'
import type { App } from './module.ts'

const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

// Unique across processes and restarts (a random prefix per process) and cheap per request.
const processPrefix = randomBytes(6).toString('base64url')
let requestCounter = 0

/** Honours a well-formed incoming `X-Request-Id` (set by a proxy or a client), else makes one. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  if (typeof incoming === 'string' && WELL_FORMED_REQUEST_ID.test(incoming)) return incoming
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER
  return `${processPrefix}-${requestCounter.toString(36)}`
}

/**
 * The headers a JSON API needs (OWASP REST Security cheat sheet), set once per response from one
 * object; every extra header costs throughput. HSTS belongs to the TLS terminator (see
 * deploy/); helmet's full set is kept for the HTML it matters for: `/docs`.
 */
export const API_SECURITY_HEADERS = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
})

const LEVELS = { debug: 20, info: 30, warn: 40 } as const

/**
 * One JSON log line per completed request, at a level that says whether it matters: client
 * errors at info, slow requests (`SLOW_REQUEST_MS`) at warn, the rest at debug (`LOG_LEVEL=debug`
 * shows every request; the TLS proxy keeps the full access log). Writing a line for every
 * healthy request cost a quarter of a busy server's throughput. The line is assembled from fixed
 * parts, in pino's own format and through its stream; failures go through pino with the error.
 */
export class RequestLog extends LogController {
  readonly #logger: Logger
  readonly #stream: { write(line: string): unknown }
  readonly #bindings: string
  readonly #slowMs: number

  constructor(logger: Logger, slowMs: number) {
    super()
    this.#logger = logger
    this.#slowMs = slowMs
    const internals = logger as unknown as Record<symbol, unknown>
    this.#stream = internals[pino.symbols.streamSym] as { write(line: string): unknown }
    this.#bindings = (internals[pino.symbols.chindingsSym] as string | undefined) ?? ''
  }

  override incomingRequest(): void {}
  override routeNotFound(): void {}
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const ms = Math.round(reply.elapsedTime * 10) / 10
    const status = reply.statusCode
    if (error) {
      reply.log.error(
        { method: request.method, url: request.url, status, ms, err: error },
        'request failed',
      )
      return
    }
    const level = ms >= this.#slowMs ? 'warn' : status >= 400 ? 'info' : 'debug'
    if (!this.#logger.isLevelEnabled(level)) return
    this.#stream.write(
      `{"level":${LEVELS[level]},"time":${Date.now()}${this.#bindings},"reqId":${JSON.stringify(request.id)},"method":"${request.method}","url":${JSON.stringify(request.url)},"status":${status},"ms":${ms},"msg":"request"}\n`,
    )
  }
}

/** `TRUST_PROXY` as Fastify's `trustProxy`: a boolean, a hop count or a list of addresses. */
export function trustProxyOf(
  value: string,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const lowered = value.trim().toLowerCase()
  if (lowered === 'true') return true
  if (lowered === 'false' || lowered === '') return false
  if (/^\d+$/.test(lowered)) {
    const hops = Number(lowered)
    return (_address, hop) => hop < hops
  }
  return lowered.split(',').map((item) => item.trim())
}

/**
 * Requests Node's parser refuses before Fastify sees them, answered as problem+json like every
 * other error: a method HTTP does not know (`TRACK`) is 405 with `Allow`, oversized headers
 * 431, a timeout 408, anything else malformed 400. The connection is closed after.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, detail] =
    error.code === 'HPE_INVALID_METHOD'
      ? [405, 'method_not_allowed', 'The request method is not one this API answers']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'The request headers are too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request_timeout', 'The request took too long to arrive']
          : [400, 'malformed_request', 'The request is not valid HTTP']
  const body = JSON.stringify(problem(status, code, detail))
  const allow = status === 405 ? `Allow: ${ALLOWED_METHODS}\r\n` : ''
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${allow}Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

export async function installHttpConventions(app: App, config: Config): Promise<void> {
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)
  installJsonBodyParser(app)
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(API_SECURITY_HEADERS)
    reply.header('x-request-id', request.id)
    done()
  })
  // Keep-alive connections that finish an in-flight request after close() began would keep the
  // server open; sweeping idle ones until it closes costs nothing per request.
  app.addHook('preClose', (done) => {
    if (!app.server.listening) return done()
    const sweep = setInterval(() => app.server.closeIdleConnections(), 50)
    app.server.once('close', () => clearInterval(sweep))
    done()
  })
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS,
      credentials: !config.CORS_ORIGINS.includes('*'),
      exposedHeaders: ['x-request-id', 'retry-after', 'deprecation', 'link'],
      maxAge: 600,
    })
  }
}

/**
 * Fastify gives every request a child logger carrying its id. Most requests never log through
 * it (the request line is written by `RequestLog`), so the pino child is made on first use.
 */
class LazyRequestLogger {
  #child: Logger | undefined
  readonly #parent: Logger
  readonly #bindings: pino.Bindings
  readonly #options: pino.ChildLoggerOptions

  constructor(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }
  #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }
  get level(): string {
    return this.#parent.level
  }
  set level(level: string) {
    this.#logger().level = level
  }
  fatal(...args: Parameters<pino.LogFn>) {
    this.#logger().fatal(...args)
  }
  error(...args: Parameters<pino.LogFn>) {
    this.#logger().error(...args)
  }
  warn(...args: Parameters<pino.LogFn>) {
    this.#logger().warn(...args)
  }
  info(...args: Parameters<pino.LogFn>) {
    this.#logger().info(...args)
  }
  debug(...args: Parameters<pino.LogFn>) {
    this.#logger().debug(...args)
  }
  trace(...args: Parameters<pino.LogFn>) {
    this.#logger().trace(...args)
  }
  silent() {}
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.#logger().child(bindings, options)
  }
}

export const lazyChildLogger = (
  parent: FastifyBaseLogger,
  bindings: pino.Bindings,
  options: pino.ChildLoggerOptions,
): FastifyBaseLogger =>
  new LazyRequestLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger
