import { defineModule } from '../../core/module.ts'
import { registerHealthRoutes } from './health.routes.ts'
import { createHealthService, type HealthService } from './health.service.ts'

declare module '../../core/module.ts' {
  interface Services {
    healthService: HealthService
  }
}

export const healthModule = defineModule({
  name: 'health',
  description: 'Liveness and readiness probes for load balancers and orchestrators',
  services: ({ database, redis, config }) => ({
    healthService: createHealthService({
      database,
      redis,
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    }),
  }),
  routes(app, { healthService }) {
    registerHealthRoutes(app, { healthService })
  },
})
