import { handleJob } from '../../core/jobs.ts'
import { defineModule } from '../../core/module.ts'
import { cleanupExpired, passwordResetRequested } from './auth.jobs.ts'
import { createAuthRepository } from './auth.repository.ts'
import { rateLimitsOf, registerAuthRoutes } from './auth.routes.ts'
import { type AuthService, createAuthService } from './auth.service.ts'

declare module '../../core/module.ts' {
  interface Services {
    authService: AuthService
  }
}

export const authModule = defineModule({
  name: 'auth',
  services: (
    { database, passwords, tokens, clock, config, jobs, logger },
    { usersService, notificationsService },
  ) => ({
    authService: createAuthService({
      authRepository: createAuthRepository(database.db),
      usersService,
      notificationsService,
      jobs,
      passwords,
      tokens,
      clock,
      logger,
      refreshTtlDays: config.REFRESH_TOKEN_EXPIRE_DAYS,
      codeSecret: config.SECRET_KEY,
    }),
  }),
  routes(app, { authService, usersService }, { config }) {
    registerAuthRoutes(app, {
      authService,
      usersService,
      prefix: config.API_V1_PREFIX,
      limits: rateLimitsOf(config),
    })
  },
  jobs: ({ authService }, { config }) => [
    handleJob(passwordResetRequested, ({ email }) => authService.sendPasswordResetCode(email)),
    handleJob(
      cleanupExpired,
      async () => {
        await authService.cleanupExpired()
      },
      { schedule: { cron: config.TOKEN_CLEANUP_CRON, payload: {} } },
    ),
  ],
})
