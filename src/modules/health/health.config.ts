import { Type } from 'typebox'
import { defineConfig } from '../../config-fragment.ts'

export const healthConfig = defineConfig({
  HEALTH_CHECK_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: 2000,
    description: 'Bound on each dependency check of /health/detailed',
  }),
})
