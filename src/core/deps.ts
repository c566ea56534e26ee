import type { Config } from '../config.ts'
import type { Cache } from './cache.ts'
import type { Clock } from './clock.ts'
import type { DatabaseHandle } from './db/database.ts'
import type { Jobs } from './jobs.ts'
import type { Logger } from './logger.ts'
import type { Mailer } from './mail.ts'
import type { Metrics } from './metrics.ts'
import type { Redis } from './redis.ts'
import type { SmsSender } from './sms.ts'
import type { FileStorage } from './storage.ts'
import type { Templates } from './templates.ts'

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
  /** Background jobs: BullMQ with `REDIS_URL`, else in this process. */
  jobs: Jobs
  templates: Templates
  mailer: Mailer
  sms: SmsSender
  metrics: Metrics
  clock: Clock
}
