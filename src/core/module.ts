import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify'
import type { PrincipalLoader, Resource } from './auth/access.ts'
import { createPasswords, type Passwords } from './auth/passwords.ts'
import type { SessionCheck } from './auth/sessions.ts'
import { createTokens, type Tokens } from './auth/tokens.ts'
import type { AppDeps } from './deps.ts'
import type { JobHandler } from './jobs.ts'
import {
  createFallbackRateLimiter,
  createMemoryRateLimiter,
  type RateLimiter,
} from './rate-limit.ts'

/** The Fastify instance every module registers on, typed by its TypeBox schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/**
 * The services modules offer each other. Each module adds its own by declaration merging
 * (`declare module '../../core/module.ts' { interface Services { usersService: UsersService } }`);
 * core asks only for `principals`, which resolves the caller of a protected route, and
 * `sessions`, which says whether the caller's login session is alive.
 */
export interface Services {
  principals?: PrincipalLoader
  sessions?: SessionCheck
}

/** Infrastructure plus the security primitives every module shares. */
export interface ModuleContext extends AppDeps {
  passwords: Passwords
  tokens: Tokens
  rateLimiter: RateLimiter
}

/**
 * A feature folder as the app sees it (the guide's `app.include_router`): it builds its services
 * from the context and earlier modules' services, registers its routes, and seeds its data.
 */
export interface AppModule {
  /** Also its routes' tag in the OpenAPI document. */
  name: string
  /** What it does, in a sentence: its tag's description in the OpenAPI document. */
  description: string
  /** The resources it owns: their create/read/update/delete permissions are seeded. */
  resources?: readonly Resource[]
  services?(context: ModuleContext, services: Services): Partial<Services>
  routes?(app: App, services: Services, context: ModuleContext): void | Promise<void>
  /** Idempotent; runs on start and by `food-fleet seed`, in module order. */
  seed?(services: Services, context: ModuleContext, modules: readonly AppModule[]): Promise<void>
  /** The background jobs and schedules it works (`npm run worker`, or RUN_WORKERS). */
  jobs?(services: Services, context: ModuleContext): JobHandler[]
}

export function defineModule(module: AppModule): AppModule {
  return module
}

export function createModuleContext(deps: AppDeps): ModuleContext {
  const { config } = deps
  return {
    ...deps,
    passwords: createPasswords({
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_ITERATIONS,
      parallelism: config.ARGON2_PARALLELISM,
    }),
    tokens: createTokens({
      secret: config.SECRET_KEY,
      accessTtlSeconds: config.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      clock: deps.clock,
    }),
    rateLimiter: deps.redis
      ? createFallbackRateLimiter(deps.redis, `${config.REDIS_KEY_PREFIX}rate:`, deps.logger)
      : createMemoryRateLimiter(),
  }
}

/** One root wires every module's services, in module order. */
export function createServices(context: ModuleContext, modules: AppModule[]): Services {
  const services = {} as Services
  for (const module of modules) Object.assign(services, module.services?.(context, services))
  return services
}

export async function seedModules(
  modules: AppModule[],
  services: Services,
  context: ModuleContext,
): Promise<void> {
  for (const module of modules) await module.seed?.(services, context, modules)
}

/** Every resource the modules own. */
export const resourcesOf = (modules: readonly AppModule[]): Resource[] =>
  modules.flatMap((module) => module.resources ?? [])

export function jobHandlersOf(
  modules: AppModule[],
  services: Services,
  context: ModuleContext,
): JobHandler[] {
  return modules.flatMap((module) => module.jobs?.(services, context) ?? [])
}
