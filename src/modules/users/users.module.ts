import { randomBytes } from 'node:crypto'
import { defineModule } from '../../core/module.ts'
import { createUsersRepository } from './users.repository.ts'
import { registerUsersRoutes } from './users.routes.ts'
import { createUsersService, type UsersService } from './users.service.ts'

declare module '../../core/auth/access.ts' {
  interface Resources {
    users: true
  }
}

declare module '../../core/module.ts' {
  interface Services {
    usersService: UsersService
  }
}

const DEVELOPMENT_SUPERUSER = 'admin@example.com'

export const usersModule = defineModule({
  name: 'users',
  description: 'User accounts: your own profile and password, and user administration',
  resources: ['users'],
  services({ database, passwords, config }, { rolesService, notificationsService }) {
    const usersService = createUsersService({
      usersRepository: createUsersRepository(database.db),
      rolesService,
      passwords,
    })
    // The guide's send_welcome_email_task, through the outbox of the registration transaction.
    usersService.onRegistered(async (user, tx) => {
      await notificationsService.email(tx, {
        to: user.email,
        subject: 'Welcome to Our Platform',
        template: 'users/templates/welcome_email.html',
        context: {
          username: user.username,
          login_url: new URL('/login', config.FRONTEND_URL).href,
        },
      })
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
    } else if (config.NODE_ENV === 'development' && !(await usersService.anySuperuser())) {
      const generated = `${randomBytes(12).toString('base64url')}-1`
      if (await usersService.ensureSuperuser(DEVELOPMENT_SUPERUSER, generated)) {
        logger.warn(
          `Development superuser created: ${DEVELOPMENT_SUPERUSER} / ${generated} (shown once; set FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD to choose your own)`,
        )
      }
    }
    if (!(await usersService.anySuperuser())) {
      logger.warn(
        'No active superuser: nobody can administer users and roles. Create one with `npm run cli -- create-superuser`, or set FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD and restart',
      )
    }
  },
})
