import type { FastifyRequest } from 'fastify'
import { AppError } from './errors.ts'
import type { App } from './module.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A JSON escape that can make a string PostgreSQL refuses (U+0000) or no text at all (a surrogate). */
const SUSPECT_ESCAPE = /\\u(0000|[dD][89a-fA-F])/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const invalidBody = (detail: string) => new AppError(400, 'invalid_body', detail)

const badString = (field: string, message: string) =>
  new AppError(422, 'validation_failed', `Invalid body: ${field} ${message}`, {
    errors: [{ field, message }],
  })

function stringIssue(text: string): string | undefined {
  if (text.includes('\0')) return 'must not contain NUL characters'
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (a lone surrogate is not)'
  return undefined
}

/** The first string (or key) in a parsed body that no column could store, with its path. */
function findBadString(value: unknown, path: string): AppError | undefined {
  if (typeof value === 'string') {
    const issue = stringIssue(value)
    return issue ? badString(path || '(root)', issue) : undefined
  }
  if (!value || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key
    const keyIssue = stringIssue(key)
    if (keyIssue) return badString(itemPath, keyIssue)
    const found = findBadString(item, itemPath)
    if (found) return found
  }
  return undefined
}

/**
 * JSON bodies, strictly: bytes that are not UTF-8 are 400 `invalid_body` (not replaced), and
 * a string holding U+0000 or a lone surrogate is 422 naming its field. Only `application/json`
 * is parsed (multipart where a module adds it): any other type, `text/plain` among them, is 415.
 * Runs after the route's guard, as every parser does.
 */
export function installJsonBodyParser(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer | string, done) => {
      let text: string
      try {
        text = typeof body === 'string' ? body : utf8.decode(body)
      } catch {
        return done(invalidBody('The request body is not valid UTF-8'), undefined)
      }
      void parseJson(request, text, (error, value) => {
        if (error) return done(error, undefined)
        const bad = SUSPECT_ESCAPE.test(text) ? findBadString(value, '') : undefined
        done(bad ?? null, bad ? undefined : value)
      })
    },
  )
}
