import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import type { App } from '../module.ts'
import { forbidden, invalidToken, unauthorized } from './auth.errors.ts'
import type { SessionCheck } from './sessions.ts'
import type { Tokens } from './tokens.ts'

/** Who may call a route. Every module route declares one; nothing is exempted by URL. */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'user' }
  | { kind: 'permission'; permission: `${string}:${string}` }

/** The caller, resolved once per request from the access token. */
export interface Principal {
  userId: number
  isActive: boolean
  isSuperuser: boolean
  permissions: ReadonlySet<string>
  /** The module that loads principals may keep the caller's record here for its own routes. */
  record: unknown
  /** The login session (refresh-token family) of the access token used; unset for the system. */
  sessionId?: string
}

/** The system itself (CLI commands, seeds): passes every check, like a superuser. */
export const systemPrincipal: Principal = Object.freeze({
  userId: 0,
  isActive: true,
  isSuperuser: true,
  permissions: new Set<string>(),
  record: null,
})

export type PrincipalLoader = (userId: number) => Promise<Principal | undefined>

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
    /** A public route whose answers carry credentials (tokens, a challenge): never stored. */
    noStore?: boolean
  }
  interface FastifyRequest {
    principal?: Principal
  }
}

/** The guide's public route. */
export const publicRoute = { access: { kind: 'public' } } satisfies { access: RouteAccess }
/** The guide's `ActiveUser` dependency. */
export const activeUser = { access: { kind: 'user' } } satisfies { access: RouteAccess }
/**
 * The resources modules own, each declared by its module
 * (`declare module '../../core/auth/access.ts' { interface Resources { products: true } }`) and
 * listed in its `resources`: a misspelt resource in `requirePermission` fails the type check.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the modules' declarations
export interface Resources {}
export type Resource = keyof Resources & string

/** The actions every resource has a permission for, seeded with it. */
export const CRUD_ACTIONS = ['create', 'read', 'update', 'delete'] as const
export type Action = (typeof CRUD_ACTIONS)[number]
/** A seeded permission's name, e.g. `products:update`. */
export type PermissionName = `${Resource}:${Action}`

/** The guide's `require_permission(resource, action)`; a superuser passes every check. */
export function requirePermission(resource: Resource, action: Action) {
  return {
    access: { kind: 'permission', permission: `${resource}:${action}` },
  } satisfies { access: RouteAccess }
}

export interface RouteAccessEntry {
  method: string
  url: string
  access: RouteAccess
  schema?: FastifySchema
}

/** `Bearer` (any case), one space, one token of RFC 6750's characters, nothing else. */
const BEARER = /^bearer ([A-Za-z0-9._~+/-]+=*)$/i

/** The access token of the request; undefined without an `Authorization` header. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined || header === '') return undefined
  const token = BEARER.exec(header)?.[1]
  if (!token) throw invalidToken('The Authorization header must be "Bearer <access token>"')
  return token
}

/**
 * Answers that carry credentials or a user's own data must not be kept by a browser or a proxy
 * (RFC 6749 §5.1; `Pragma` for HTTP/1.0 caches).
 */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

async function noStore(_request: FastifyRequest, reply: FastifyReply) {
  reply.headers(NO_STORE)
}

/**
 * The check a protected route runs first (`onRequest`): 401 with `WWW-Authenticate: Bearer`
 * without a valid access token of a live session, 403 for an inactive user or a missing
 * permission.
 */
function guardFor(access: RouteAccess, { tokens, loadPrincipal, sessionAlive }: AccessDeps) {
  const permission = access.kind === 'permission' ? access.permission : undefined
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(NO_STORE)
    const token = bearerToken(request)
    if (!token) throw unauthorized('Not authenticated')
    const { userId, sessionId } = tokens.verifyAccess(token)
    const [principal, alive] = await Promise.all([loadPrincipal(userId), sessionAlive(sessionId)])
    if (!principal) throw invalidToken()
    if (!alive) throw invalidToken('Session has ended; sign in again', 'session_ended')
    if (!principal.isActive) throw forbidden('Inactive user')
    if (permission && !hasPermission(principal, permission)) {
      throw forbidden(`Missing permission ${permission}`, { permission })
    }
    request.principal = { ...principal, sessionId }
  }
}

interface AccessDeps {
  tokens: Tokens
  loadPrincipal: PrincipalLoader
  /** Whether the token's session is alive: ended by logout, reuse, a password change or reset, deactivation. */
  sessionAlive: SessionCheck
}

/**
 * Every route registered from here on must declare its access (or start-up fails). Protected
 * routes get the guard as their own `onRequest` hook, so public ones pay nothing; the access is
 * documented in the OpenAPI document and kept in the returned table (tests walk it). Protected
 * answers, and public ones marked `noStore`, are never cached.
 */
export function guardRoutes(app: App, deps: AccessDeps): RouteAccessEntry[] {
  const table: RouteAccessEntry[] = []
  app.addHook('onRoute', (route) => {
    const access = route.config?.access
    const methods = ([] as string[]).concat(route.method)
    if (!access) {
      throw new Error(`Route ${methods.join(',')} ${route.url} declares no access (config.access)`)
    }
    if (route.schema) route.schema = withStrictQuery(route.schema)
    for (const method of methods) {
      if (method !== 'HEAD') table.push({ method, url: route.url, access, schema: route.schema })
    }
    const hooks = [route.onRequest ?? []].flat()
    if (access.kind === 'public') {
      if (route.config?.noStore) route.onRequest = [...hooks, noStore]
      return
    }
    route.onRequest = [...hooks, guardFor(access, deps)]
    if (!route.schema) return
    const schema = route.schema as Record<string, unknown>
    schema.security = [{ bearerAuth: [] }]
    if (access.kind === 'permission') {
      schema.description = [schema.description, `Requires permission \`${access.permission}\`.`]
        .filter(Boolean)
        .join('\n\n')
    }
  })
  return table
}

const NO_QUERY = Object.freeze({ type: 'object', properties: {}, additionalProperties: false })

/**
 * A query parameter a route does not declare is 422, as an unknown body field is: a misspelt
 * `skip` must not pass silently as the default. Routes declare their parameters only.
 */
function withStrictQuery(schema: FastifySchema): FastifySchema {
  const query = schema.querystring as { additionalProperties?: unknown } | undefined
  if (query?.additionalProperties !== undefined) return schema
  return { ...schema, querystring: query ? { ...query, additionalProperties: false } : NO_QUERY }
}

/** A superuser holds every permission. */
export function hasPermission(principal: Principal, permission: string): boolean {
  return principal.isSuperuser || principal.permissions.has(permission)
}

/** The permissions among `permissions` that the principal does not hold (none for a superuser). */
export function permissionsNotHeld(principal: Principal, permissions: Iterable<string>): string[] {
  if (principal.isSuperuser) return []
  return [...new Set(permissions)].filter((permission) => !principal.permissions.has(permission))
}

/** The authenticated caller of a route that declared `activeUser` or a permission. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('Not authenticated')
  return request.principal
}
