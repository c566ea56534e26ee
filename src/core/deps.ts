import type { Config } from '../config.ts'
import type { Cache } from './cache.ts'
import type { Clock } from './clock.ts'
import type { DatabaseHandle } from './db/database.ts'
import type { Logger } from './logger.ts'
import type { Redis } from './redis.ts'
import type { FileStorage } from './storage.ts'

/** The infrastructure `buildApp` receives: production hands it PostgreSQL and Redis, tests PGlite and memory. */
export interface AppDeps {
  config: Config
  logger: Logger
  database: DatabaseHandle
  /** Absent when `REDIS_URL` is unset. */
  redis?: Redis
  cache: Cache
  /** Uploaded files: local directory or S3 (`STORAGE_BACKEND`). */
  storage: FileStorage
  clock: Clock
}
