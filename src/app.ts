import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import type { AppDeps } from './core/deps.ts'
import { registerDocs } from './core/docs.ts'
import { installHttpConventions, RequestLog, requestIdOf, trustProxyOf } from './core/http.ts'
import type { App, AppModule } from './core/module.ts'
import { modules as allModules } from './modules/index.ts'

/**
 * The HTTP application: conventions (errors, request ids, headers, CORS), docs, then every
 * module in order. It receives its infrastructure, so tests and production share this path.
 */
export async function buildApp(deps: AppDeps, modules: AppModule[] = allModules): Promise<App> {
  const { config } = deps
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new RequestLog(deps.logger),
    genReqId: requestIdOf,
    requestIdHeader: false,
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    bodyLimit: config.BODY_LIMIT_KB * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>()

  await installHttpConventions(app, config)
  await registerDocs(app, config)
  for (const module of modules) {
    await app.register(async (scope) => module.register(scope, deps))
  }
  return app
}
