import { defineModule } from '../../core/module.ts'
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
  services: ({ database, passwords, tokens, clock, config }, { usersService }) => ({
    authService: createAuthService({
      authRepository: createAuthRepository(database.db),
      usersService,
      passwords,
      tokens,
      clock,
      refreshTtlDays: config.REFRESH_TOKEN_EXPIRE_DAYS,
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
})
