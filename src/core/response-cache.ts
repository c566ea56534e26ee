import type {
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preHandlerHookHandler,
} from 'fastify'
import { type Cache, noCache } from './cache.ts'
import type { App } from './module.ts'

/**
 * A public GET route's answers kept in the cache (`config.cacheResponse`): each 200 answer is
 * stored as the JSON text its response schema made, in a cache group, one field per URL. The
 * module's writes drop the group (`cache.delete(group)`) when they change what it answers.
 */
export interface CachedResponse {
  /** The cache group: a name, or one made from the route's validated path parameters. */
  group: string | ((params: Record<string, unknown>) => string)
  /** How long an answer may be served; it bounds how stale a missed invalidation leaves it. */
  seconds: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    cacheResponse?: CachedResponse
  }
}

/** The group a cacheable request missed in: its answer is stored there once serialized. */
const missedIn = new WeakMap<FastifyRequest, string>()

/**
 * Serves the routes that declare `cacheResponse` from the cache: a hit is sent as stored, after
 * the access check and validation but before the handler, so services only ever deal in domain
 * objects. Only public answers may be shared between callers; HEAD is answered uncached. With
 * `CACHE_ENABLED=false` the routes run as if they declared nothing.
 */
export function cacheResponses(app: App, cache: Cache): void {
  app.addHook('onRoute', (route) => {
    const cached = route.config?.cacheResponse
    if (!cached || route.method === 'HEAD') return
    if (route.method !== 'GET' || route.config?.access?.kind !== 'public') {
      throw new Error(`${route.url}: only a public GET route may cache its answers`)
    }
    if (cache === noCache) return
    const { group, seconds } = cached
    const groupOf =
      typeof group === 'string'
        ? () => group
        : (request: FastifyRequest) => group(request.params as Record<string, unknown>)

    const serveCached: preHandlerHookHandler = async (request, reply) => {
      const name = groupOf(request)
      const text = await cache.getField(name, request.url)
      if (text !== undefined) return sendJsonText(reply, text)
      missedIn.set(request, name)
    }
    const storeAnswer: onSendHookHandler = async (request, reply, payload) => {
      const name = missedIn.get(request)
      if (name !== undefined && reply.statusCode === 200 && typeof payload === 'string') {
        await cache.setField(name, request.url, payload, seconds)
      }
      return payload
    }
    route.preHandler = [route.preHandler ?? []].flat().concat(serveCached)
    route.onSend = [route.onSend ?? []].flat().concat(storeAnswer)
  })
}

/** Fastify sends a string or a buffer as it is: a stored answer is neither parsed nor serialized. */
function sendJsonText(reply: FastifyReply, json: string | Buffer) {
  return reply.type('application/json; charset=utf-8').send(json)
}
