import { AppError } from '../errors.ts'

const BEARER = { 'www-authenticate': 'Bearer' }

export const unauthorized = (detail: string, code = 'not_authenticated') =>
  new AppError(401, code, detail, {}, BEARER)

export const forbidden = (detail: string, extra: Record<string, unknown> = {}) =>
  new AppError(403, 'forbidden', detail, extra)
