import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { LightMyRequestResponse } from 'fastify'
import { inject } from 'vitest'
import { type Application, createApplication } from '../../src/app.ts'
import { type Config, loadConfig } from '../../src/config.ts'
import { createRedisCache } from '../../src/core/cache.ts'
import { type DatabaseHandle, openPostgres, wrapPglite } from '../../src/core/db/database.ts'
import { startPgliteThread } from '../../src/core/db/pglite-thread.ts'
import type { AppDeps } from '../../src/core/deps.ts'
import { createLogger, type Logger } from '../../src/core/logger.ts'
import { type AppModule, jobHandlersOf, seedModules } from '../../src/core/module.ts'
import { connectRedis } from '../../src/core/redis.ts'
import { assembleDeps } from '../../src/infrastructure.ts'
import { modules } from '../../src/modules/index.ts'
import { adminQuery, withDatabase } from './postgres.ts'

export const usingPostgres = Boolean(process.env.DATABASE_URL)

/** Config as a test run sees it: the real loader, quiet logs, a throwaway data directory. */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    REDIS_KEY_PREFIX: `ff-test:${randomUUID()}:`,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'food-fleet-data-')),
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_ITERATIONS: '1',
    ...overrides,
  })
}

export const silentLogger: Logger = createLogger({
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  APP_NAME: 'test',
})

/** A logger at `level` that keeps every line it writes, parsed, in `lines`. */
export function recordingLogger(level: Config['LOG_LEVEL']) {
  // biome-ignore lint/suspicious/noExplicitAny: log lines are whatever the code logged
  const lines: Record<string, any>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return {
    lines,
    logger: createLogger({ LOG_LEVEL: level, NODE_ENV: 'test', APP_NAME: 'test' }, sink),
  }
}

/**
 * A freshly migrated database of its own: a copy of the run's migrated template — on the
 * PostgreSQL server when DATABASE_URL is set (dropped on close), else an in-memory PGlite on its
 * own thread, as the app runs it. Closing it again does nothing (a test may close it early).
 */
export async function createTestDatabase(
  logger: Logger = silentLogger,
  echo = false,
): Promise<DatabaseHandle> {
  const database = await openTestDatabase(logger, echo)
  let closed: Promise<void> | undefined
  return {
    ...database,
    close() {
      closed ??= database.close()
      return closed
    },
  }
}

async function openTestDatabase(
  logger: Logger = silentLogger,
  echo = false,
): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL
  const template = inject('postgresTemplate')
  if (url && template) {
    const name = `food_fleet_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`
    await adminQuery(url, `create database ${name} template ${template}`)
    const handle = await openPostgres(withDatabase(url, name), 5, { logger, echo })
    return {
      ...handle,
      async close() {
        await handle.close()
        await adminQuery(url, `drop database if exists ${name} with (force)`)
      },
    }
  }
  const client = startPgliteThread(
    { loadDataDir: readFileSync(inject('pgliteTemplate')) },
    new URL(inject('pgliteWorker')),
  )
  const database = await wrapPglite(client, { logger, echo })
  await database.ping()
  return database
}

export interface TestApp extends Application {
  deps: AppDeps
  /** One request to `/api/v1<path>`, as `who` when given (a TestUser's headers). */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    who?: { headers: Record<string, string> },
    payload?: object,
  ): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

/** `TestApp['call']` for an app. */
export const apiCaller =
  (app: Application['app']): TestApp['call'] =>
  (method, path, who, payload) =>
    app.inject({ method, url: `/api/v1${path}`, headers: who?.headers, payload })

export interface TestAppOptions {
  env?: Record<string, string | undefined>
  modules?: AppModule[]
  logger?: Logger
}

/** The real app on its own database (and its own Redis namespace when REDIS_URL is set). */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.env)
  const logger = options.logger ?? silentLogger
  const database = await createTestDatabase(logger, config.DB_ECHO)
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, 'test', logger) : undefined
  const deps = assembleDeps(config, logger, database, redis)
  const appModules = options.modules ?? modules
  const application = await createApplication(deps, appModules)
  await seedModules(appModules, application.services, application.context)
  const { app } = application
  await app.ready()
  if (config.RUN_WORKERS) {
    await deps.jobs.work(jobHandlersOf(appModules, application.services, application.context))
  }
  return {
    ...application,
    deps,
    call: apiCaller(app),
    async close() {
      await app.close()
      await deps.jobs.close(5000)
      deps.mailer.close()
      deps.sms.close()
      await deps.cache.close()
      if (redis) {
        await createRedisCache(redis, logger, config.REDIS_KEY_PREFIX).deleteByPrefix('')
        await redis.quit()
      }
      await database.close()
      rmSync(config.DATA_DIR, { recursive: true, force: true })
    },
  }
}

/**
 * Fetches `path` from the app over real connections, `times` times (kept alive in between), and
 * answers each status and body: what `inject` cannot show, such as how a streamed answer ends.
 */
export async function fetchOverHttp(
  t: TestApp,
  path: string,
  headers: Record<string, string>,
  times = 3,
): Promise<{ status: number; body: Buffer }[]> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = t.app.server.address() as { port: number }
  const answers = []
  for (let i = 0; i < times; i++) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers })
    answers.push({ status: response.status, body: Buffer.from(await response.arrayBuffer()) })
  }
  return answers
}

/**
 * A second app process as a test can have one: the same database, Redis namespace and secret as
 * `t`, its own Redis connections, cache and in-process copies. What one ends the other must see.
 */
export async function createPeerApp(t: TestApp): Promise<Application & { close(): Promise<void> }> {
  const { config, logger, database } = t.deps
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, 'test-peer', logger) : undefined
  const deps = assembleDeps(config, logger, database, redis)
  const application = await createApplication(deps)
  await application.app.ready()
  return {
    ...application,
    async close() {
      await application.app.close()
      await deps.jobs.close(5000)
      deps.mailer.close()
      deps.sms.close()
      await deps.cache.close()
      await redis?.quit()
    },
  }
}
