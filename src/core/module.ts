import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify'
import type { AppDeps } from './deps.ts'

/** The Fastify instance every module registers on, typed by its TypeBox schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/**
 * A feature folder as the app sees it (the guide's `app.include_router`). `register` wires the
 * module's repository, service and routes from the infrastructure it is handed.
 */
export interface AppModule {
  name: string
  register(app: App, deps: AppDeps): Promise<void> | void
}

export function defineModule(module: AppModule): AppModule {
  return module
}
