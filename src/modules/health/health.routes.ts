import { publicRoute } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { Liveness, Readiness } from './health.schemas.ts'
import type { HealthService } from './health.service.ts'

const LIVE = Object.freeze({ status: 'healthy' as const })

export function registerHealthRoutes(
  app: App,
  { healthService }: { healthService: HealthService },
) {
  app.get(
    '/health',
    {
      config: publicRoute,
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: the process answers (no I/O)',
        description: 'For liveness probes: answers without touching the database or Redis.',
        response: { 200: Liveness },
      },
    },
    async () => LIVE,
  )

  app.get(
    '/health/detailed',
    {
      config: publicRoute,
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: database and Redis reachable; 503 when any is unhealthy',
        description:
          'For readiness probes: checks the database and Redis (when configured) with short timeouts.',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const report = await healthService.detailed()
      const unhealthy = report.database === 'unhealthy' || report.redis === 'unhealthy'
      return reply.code(unhealthy ? 503 : 200).send(report)
    },
  )
}
