import { defineModule } from '../../core/module.ts'
import { registerHealthRoutes } from './health.routes.ts'
import { createHealthService } from './health.service.ts'

export const healthModule = defineModule({
  name: 'health',
  register(app, { database, redis, config }) {
    const healthService = createHealthService({
      database,
      redis,
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    })
    registerHealthRoutes(app, { healthService })
  },
})
