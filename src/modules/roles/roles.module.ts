import { defineModule, resourcesOf } from '../../core/module.ts'
import { createRolesRepository } from './roles.repository.ts'
import { registerRolesRoutes } from './roles.routes.ts'
import { createRolesService, type RolesService } from './roles.service.ts'

declare module '../../core/auth/access.ts' {
  interface Resources {
    roles: true
  }
}

declare module '../../core/module.ts' {
  interface Services {
    rolesService: RolesService
  }
}

export const rolesModule = defineModule({
  name: 'roles',
  description: 'Roles and the permissions they grant (`resource:action`)',
  services: ({ database, cache }) => ({
    rolesService: createRolesService({
      rolesRepository: createRolesRepository(database.db),
      cache,
    }),
  }),
  routes(app, { rolesService }, { config }) {
    registerRolesRoutes(app, { rolesService, prefix: config.API_V1_PREFIX })
  },
  resources: ['roles'],
  seed: ({ rolesService }, _context, modules) => rolesService.seed(resourcesOf(modules)),
})
