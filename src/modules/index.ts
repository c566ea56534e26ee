import type { AppModule } from '../core/module.ts'
import { authModule } from './auth/auth.module.ts'
import { filesModule } from './files/files.module.ts'
import { healthModule } from './health/health.module.ts'
import { notificationsModule } from './notifications/notifications.module.ts'
import { productsModule } from './products/products.module.ts'
import { rolesModule } from './roles/roles.module.ts'
import { usersModule } from './users/users.module.ts'

/**
 * Every module, in dependency order (the guide's `app.include_router` calls in main.py): a
 * module's services may use those of the modules before it.
 */
export const modules: AppModule[] = [
  healthModule,
  rolesModule,
  notificationsModule,
  usersModule,
  authModule,
  productsModule,
  filesModule,
]
