import { createSessionLiveness } from '../../core/auth/sessions.ts'
import { noCache } from '../../core/cache.ts'
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
  description:
    'Sign-up, sign-in with JWT access and refresh tokens, two-factor sign-in by SMS, password reset',
  services(context, services) {
    const { database, cache, redis, clock, config } = context
    const { usersService, notificationsService } = services
    const authRepository = createAuthRepository(database.db)
    // Processes that share no cache (a cluster without Redis) would not see each other's ends.
    const shared = redis !== undefined || config.WEB_CONCURRENCY <= 1
    const sessions = createSessionLiveness({
      cache: shared ? cache : noCache,
      isAlive: (sessionId) => authRepository.isSessionAlive(sessionId, clock.now()),
      endedSeconds: config.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
    })
    const authService = createAuthService({
      ...context,
      authRepository,
      usersService,
      notificationsService,
      sessions,
      refreshTtlDays: config.REFRESH_TOKEN_EXPIRE_DAYS,
      codeSecret: config.SECRET_KEY,
    })
    // A deactivated user is signed out everywhere: reactivating the account revives no session.
    usersService.onDeactivated((userId) => authService.endUserSessions(userId))
    return { authService, sessions: sessions.check }
  },
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
