import { randomBytes } from 'node:crypto'
import { defineModule } from '../../core/module.ts'
import { createUsersRepository } from './users.repository.ts'
import { registerUsersRoutes } from './users.routes.ts'
import { createUsersService, type UsersService } from './users.service.ts'

declare module '../../core/module.ts' {
  interface Services {
    usersService: UsersService
  }
}

const DEVELOPMENT_SUPERUSER = 'admin@example.com'

export const usersModule = defineModule({
  name: 'users',
  services({ database, passwords }, { rolesService }) {
    const usersService = createUsersService({
      usersRepository: createUsersRepository(database.db),
      rolesService,
      passwords,
    })
    return { usersService, principals: usersService.loadPrincipal }
  },
  routes(app, { usersService }, { config }) {
    registerUsersRoutes(app, { usersService, prefix: config.API_V1_PREFIX })
  },
  async seed({ usersService }, { config, logger }) {
    const { FIRST_SUPERUSER_EMAIL: email, FIRST_SUPERUSER_PASSWORD: password } = config
    if (email && password) {
      await usersService.ensureSuperuser(email, password)
      return
    }
    if (config.NODE_ENV !== 'development' || (await usersService.anySuperuser())) return
    const generated = `${randomBytes(12).toString('base64url')}-1`
    if (await usersService.ensureSuperuser(DEVELOPMENT_SUPERUSER, generated)) {
      logger.warn(
        `Development superuser created: ${DEVELOPMENT_SUPERUSER} / ${generated} (shown once; set FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD to choose your own)`,
      )
    }
  },
})
