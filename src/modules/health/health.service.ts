import type { DatabaseHandle } from '../../core/db/database.ts'
import { withDeadline } from '../../core/deadline.ts'
import type { Redis } from '../../core/redis.ts'

export type DependencyStatus = 'healthy' | 'unhealthy' | 'disabled'

export interface HealthReport {
  api: 'healthy'
  database: DependencyStatus
  redis: DependencyStatus
}

/** Runs a check, bounded so a hung dependency answers "unhealthy" instead of hanging the probe. */
function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<DependencyStatus> {
  return withDeadline(check(), timeoutMs, () => new Error('no answer')).then(
    () => 'healthy',
    () => 'unhealthy',
  )
}

export function createHealthService(deps: {
  database: Pick<DatabaseHandle, 'ping'>
  redis?: Pick<Redis, 'ping'>
  timeoutMs: number
}) {
  const { database, redis, timeoutMs } = deps
  return {
    async detailed(): Promise<HealthReport> {
      const [databaseStatus, redisStatus] = await Promise.all([
        probe(() => database.ping(), timeoutMs),
        redis ? probe(() => redis.ping(), timeoutMs) : ('disabled' as const),
      ])
      return { api: 'healthy', database: databaseStatus, redis: redisStatus }
    },
  }
}

export type HealthService = ReturnType<typeof createHealthService>
