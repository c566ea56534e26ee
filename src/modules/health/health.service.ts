import type { DatabaseHandle } from '../../core/db/database.ts'
import type { Redis } from '../../core/redis.ts'

export type DependencyStatus = 'healthy' | 'unhealthy' | 'disabled'

export interface HealthReport {
  api: 'healthy'
  database: DependencyStatus
  redis: DependencyStatus
}

/** Runs a check, bounded so a hung dependency answers "unhealthy" instead of hanging the probe. */
async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'unhealthy'>((resolve) => {
    timer = setTimeout(() => resolve('unhealthy'), timeoutMs)
  })
  const outcome = check().then(
    () => 'healthy' as const,
    () => 'unhealthy' as const,
  )
  try {
    return await Promise.race([outcome, timeout])
  } finally {
    clearTimeout(timer)
  }
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
