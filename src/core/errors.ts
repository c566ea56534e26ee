import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/**
 * An error a client can cause: a status, a stable machine `code`, a human `detail`, and extra
 * context members. The one error handler turns it into RFC 9457 problem+json.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
    this.name = 'AppError'
  }
}

/** The detail and extra members of a problem; the standard members are set from the definition. */
type ErrorParts = {
  detail: string
  type?: never
  title?: never
  status?: never
  code?: never
  [member: string]: unknown
}

/**
 * Declares one kind of error once, e.g.
 * `export const productNotFound = defineError(404, 'not_found', (id: number) => ({ detail: \`Product with ID ${id} not found\`, product_id: id }))`
 */
export function defineError<Args extends unknown[], const Status extends number>(
  status: Status,
  code: string,
  // A 422 names the fields that are wrong, as the OpenAPI document's ValidationProblem says.
  describe: (
    ...args: Args
  ) => Status extends 422
    ? ErrorParts & { errors: { field: string; message: string }[] }
    : ErrorParts,
): (...args: Args) => AppError {
  return (...args) => {
    const { detail, ...extra } = describe(...args)
    return new AppError(status, code, detail, extra)
  }
}

export interface Problem {
  type: 'about:blank'
  title: string
  status: number
  detail: string
  code: string
  [member: string]: unknown
}

export function problem(status: number, code: string, detail: string, extra = {}): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  }
}

/** Codes for the 4xx errors Fastify and its plugins raise before a handler runs. */
const FRAMEWORK_CODES: Record<number, string> = {
  400: 'malformed_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
}

/** PostgreSQL errors that only a racing or out-of-range request causes; the rest are bugs. */
const DATABASE_CODES: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'The resource already exists'],
  '23503': [422, 'validation_failed', 'A referenced resource does not exist'],
  '23001': [409, 'conflict', 'The resource is still in use'],
  '40001': [409, 'conflict', 'A concurrent change conflicted with this request; retry it'],
}

/** Error codes, anywhere in an error's causes, that mean a dependency cannot be reached now. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: PostgreSQL is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
])
// node-postgres's and ioredis's messages for a connection lost or never made in time.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Stream isn't writeable/i

/** How long a client should wait before retrying while a dependency is down. */
export const RETRY_UNAVAILABLE_SECONDS = 5

/** Why a dependency is unavailable (an error code, or `connection lost`), if that is the error. */
export function unavailableReason(error: unknown): string | undefined {
  let current = error
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return code
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return 'connection lost'
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

type ValidationIssue = {
  instancePath?: string
  message?: string
  params?: Record<string, unknown>
}

function fieldOf(issue: ValidationIssue): string {
  const missing = issue.params?.missingProperty
  const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.')
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing
  const extra = issue.params?.additionalProperty
  if (typeof extra === 'string') return path ? `${path}.${extra}` : extra
  return path || '(root)'
}

export function toProblem(error: FastifyError | AppError | Error, requestId: string): Problem {
  if (error instanceof AppError)
    return problem(error.status, error.code, error.message, error.extra)
  const fastifyError = error as FastifyError & { validation?: ValidationIssue[] }
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((issue) => ({
      field: fieldOf(issue),
      message: issue.message ?? 'is invalid',
    }))
    const where = fastifyError.validationContext ?? 'request'
    const detail = `Invalid ${where}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`
    return problem(422, 'validation_failed', detail, { errors })
  }
  const status = fastifyError.statusCode
  if (status && status >= 400 && status < 500) {
    return problem(status, FRAMEWORK_CODES[status] ?? 'bad_request', error.message)
  }
  if (unavailableReason(error)) {
    return problem(
      503,
      'service_unavailable',
      `A service this request needs is unavailable; retry in ${RETRY_UNAVAILABLE_SECONDS} s`,
    )
  }
  const databaseCode = (error.cause as { code?: unknown } | undefined)?.code
  const known = typeof databaseCode === 'string' ? DATABASE_CODES[databaseCode] : undefined
  if (known) return problem(known[0], known[1], known[2])
  return problem(
    500,
    'internal_error',
    `An unexpected error occurred; quote request id ${requestId} when reporting it`,
    { request_id: requestId },
  )
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply
    .code(body.status)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(body))
}

export function errorHandler(
  error: FastifyError | AppError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const body = toProblem(error, request.id)
  // Answered before the body was read (a 401 or 413 on an upload): close rather than let Node
  // drain whatever the client still sends.
  if (!request.raw.complete) reply.header('connection', 'close')
  if (body.status === 503) {
    // Expected while a dependency is down (its own outage is logged where it is watched).
    request.log.warn({ reason: unavailableReason(error) }, 'dependency unavailable')
    reply.header('retry-after', String(RETRY_UNAVAILABLE_SECONDS))
  } else if (body.status >= 500) {
    request.log.error({ err: error }, 'unhandled error')
  } else if (error instanceof AppError) {
    reply.headers(error.headers)
  }
  return sendProblem(reply, body)
}

/** The methods the API's routes answer (`Allow` of a 405). */
export const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
const ANSWERED = new Set(ALLOWED_METHODS.split(', '))

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!ANSWERED.has(request.method)) {
    reply.header('allow', ALLOWED_METHODS)
    return sendProblem(
      reply,
      problem(
        405,
        'method_not_allowed',
        `The method ${request.method} is not one this API answers`,
      ),
    )
  }
  const path = request.url.split('?')[0]
  return sendProblem(reply, problem(404, 'not_found', `Route ${request.method} ${path} not found`))
}
