import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import type { Logger as DrizzleLogger } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { Config } from '../../config.ts'
import type { Logger } from '../logger.ts'
import { PROJECT_ROOT } from '../paths.ts'
import { lockDirectory } from './lock.ts'
import { type PgliteClient, startPgliteThread } from './pglite-thread.ts'

/** The Drizzle database, the same type on node-postgres and on PGlite; a transaction is one too. */
export type Database = PgDatabase<PgQueryResultHKT>

export interface PoolStats {
  total: number
  idle: number
  waiting: number
}

export interface DatabaseHandle {
  db: Database
  kind: 'postgres' | 'pglite'
  /** Connections of the pool (PGlite has one, always in use by this process). */
  poolStats(): PoolStats
  ping(): Promise<void>
  migrate(): Promise<void>
  close(): Promise<void>
}

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'migrations')

/** Any fixed 64-bit number: every Food Fleet process takes this lock while migrating. */
const MIGRATION_LOCK_KEY = 4_807_117_051_944_006n

function sqlLogger(logger: Logger): DrizzleLogger {
  return {
    logQuery(query, params) {
      logger.info({ sql: query, params: params.length }, 'sql')
    },
  }
}

export interface DatabaseOptions {
  logger: Logger
  echo?: boolean
}

/**
 * A pool on PostgreSQL. node-postgres and its drizzle driver are loaded here, not with this
 * module: a process on the embedded database never holds them.
 */
export async function openPostgres(
  url: string,
  poolSize: number,
  { logger, echo }: DatabaseOptions,
): Promise<DatabaseHandle> {
  const [{ default: pg }, { drizzle: drizzleNodePg }, { migrate: migrateNodePg }] =
    await Promise.all([
      import('pg'),
      import('drizzle-orm/node-postgres'),
      import('drizzle-orm/node-postgres/migrator'),
    ])
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 })
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'))
  const db = drizzleNodePg({
    client: pool,
    casing: 'snake_case',
    logger: echo ? sqlLogger(logger) : false,
  })
  return {
    db: db as unknown as Database,
    kind: 'postgres',
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async ping() {
      await pool.query('select 1')
    },
    async migrate() {
      const client = await pool.connect()
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
        await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER })
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}

/**
 * Wraps an open PGlite (an instance, or its thread); `onClose` releases what was opened with it.
 * PGlite's drivers are loaded here, not with this module: a process on PostgreSQL never holds them.
 */
export async function wrapPglite(
  client: PgliteClient,
  { logger, echo }: DatabaseOptions,
  onClose: () => void = () => {},
): Promise<DatabaseHandle> {
  const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ])
  const db = drizzlePglite({
    // Drizzle calls only `query` and `transaction`, which the thread answers like an instance.
    client: client as PGlite,
    casing: 'snake_case',
    logger: echo ? sqlLogger(logger) : false,
  })
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    poolStats: () => ({ total: 1, idle: 0, waiting: 0 }),
    async ping() {
      await client.query('select 1')
    },
    async migrate() {
      await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER })
    },
    async close() {
      try {
        if (!client.closed) await client.close()
      } finally {
        onClose()
      }
    },
  }
}

/**
 * The embedded database in `dataDir/pgdata`, held under an exclusive lock while open. It starts
 * on its own thread (queries wait for it), so the app is loaded and built meanwhile.
 */
export async function openPglite(
  dataDir: string,
  purpose: string,
  options: DatabaseOptions,
): Promise<DatabaseHandle> {
  mkdirSync(dataDir, { recursive: true })
  const lock = lockDirectory(dataDir, purpose)
  try {
    const pgdata = join(dataDir, 'pgdata')
    const template = existsSync(join(pgdata, 'PG_VERSION')) ? undefined : templateOf(options.logger)
    const client = startPgliteThread({ dataDir: pgdata, template })
    return await wrapPglite(client, options, () => lock.release())
  } catch (error) {
    lock.release()
    throw error
  }
}

/**
 * The empty database `npm run build` writes beside this module (`bin/pglite-template.mjs`), for a
 * new data directory; without it (a development bundle, tests), PGlite runs initdb itself.
 */
function templateOf(logger: Logger): string | undefined {
  const template = fileURLToPath(new URL('./pglite-template.tar.gz', import.meta.url))
  const found = existsSync(template)
  logger.info(
    found ? 'new embedded database: created from its template' : 'new embedded database: initdb',
  )
  return found ? template : undefined
}

/** The configured database: PostgreSQL at `DATABASE_URL`, else the embedded one in `DATA_DIR`. */
export function openDatabase(
  config: Config,
  logger: Logger,
  purpose: string,
): Promise<DatabaseHandle> {
  const options = { logger, echo: config.DB_ECHO }
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE, options)
    : openPglite(config.DATA_DIR, purpose, options)
}
