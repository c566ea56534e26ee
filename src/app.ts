import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { serveAdminConsole } from './core/admin-console.ts'
import { guardRoutes, type RouteAccessEntry } from './core/auth/access.ts'
import { createLazyCompilers } from './core/compilers.ts'
import type { AppDeps } from './core/deps.ts'
import { registerDocs } from './core/docs.ts'
import {
  clientErrorHandler,
  installHttpConventions,
  lazyChildLogger,
  RequestLog,
  requestIdOf,
  trustProxyOf,
} from './core/http.ts'
import {
  type App,
  type AppModule,
  createModuleContext,
  createServices,
  type ModuleContext,
  type Services,
} from './core/module.ts'
import { applyRateLimits } from './core/rate-limit.ts'
import { cacheResponses } from './core/response-cache.ts'
import { modules as allModules } from './modules/index.ts'

export interface Application {
  app: App
  services: Services
  context: ModuleContext
  /** Every module route with its declared access (tests walk it). */
  routes: RouteAccessEntry[]
  /**
   * Compiles the route schemas no request has needed yet (they are compiled on first use so the
   * server listens sooner); main.ts runs it once the server listens.
   */
  compileSchemas(): Promise<void>
}

/**
 * The HTTP application: conventions (errors, request ids, headers, CORS), docs, authentication
 * and rate limits, then every module's routes in order. It receives its infrastructure, so tests
 * and production share this path.
 */
export async function createApplication(
  deps: AppDeps,
  modules: AppModule[] = allModules,
): Promise<Application> {
  const { config } = deps
  const context = createModuleContext(deps)
  const services = createServices(context, modules)
  const compilers = createLazyCompilers()
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new RequestLog(deps.logger, config.SLOW_REQUEST_MS),
    childLoggerFactory: lazyChildLogger,
    genReqId: requestIdOf,
    requestIdHeader: false,
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    bodyLimit: config.BODY_LIMIT_KB * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Unknown body fields are a 422, not silently dropped: a client sending `is_superuser`
    // where it is not allowed learns so.
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: compilers.factory },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Timing every request has a cost: only paid when something scrapes it.
  if (config.METRICS_PORT) deps.metrics.instrument(app)
  await installHttpConventions(app, config)
  await registerDocs(app, config, modules)
  await serveAdminConsole(app, config, deps.logger)
  applyRateLimits(app, context.rateLimiter)
  const routes = guardRoutes(app, {
    tokens: context.tokens,
    loadPrincipal: services.principals ?? (async () => undefined),
    sessionAlive: services.sessions ?? (async () => false),
  })
  cacheResponses(app, context.cache)
  for (const module of modules) {
    await app.register(async (scope) => {
      // One tag per module in the OpenAPI document.
      scope.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, tags: [module.name] }
      })
      await module.routes?.(scope, services, context)
    })
  }
  return { app, services, context, routes, compileSchemas: compilers.compileAll }
}

export async function buildApp(deps: AppDeps, modules: AppModule[] = allModules): Promise<App> {
  return (await createApplication(deps, modules)).app
}
