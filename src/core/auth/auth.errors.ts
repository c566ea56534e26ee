import { AppError } from '../errors.ts'

const BEARER = { 'www-authenticate': 'Bearer' }

export const unauthorized = (detail: string, code = 'not_authenticated') =>
  new AppError(401, code, detail, {}, BEARER)

const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' }

/** Credentials were sent but are not a live access token (RFC 6750 §3.1 `invalid_token`). */
export const invalidToken = (detail = 'Could not validate credentials', code = 'invalid_token') =>
  new AppError(401, code, detail, {}, INVALID_TOKEN)

export const forbidden = (detail: string, extra: Record<string, unknown> = {}) =>
  new AppError(403, 'forbidden', detail, extra)
