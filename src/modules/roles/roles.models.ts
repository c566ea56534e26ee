import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core'
import { id, timestamps } from '../../core/db/columns.ts'

export const roles = pgTable(
  'roles',
  {
    id: id(),
    name: varchar({ length: 50 }).notNull(),
    description: varchar({ length: 255 }),
    isSystem: boolean().notNull().default(false),
    ...timestamps(),
  },
  (table) => [uniqueIndex('roles_name_key').on(table.name)],
)

export const permissions = pgTable(
  'permissions',
  {
    id: id(),
    name: varchar({ length: 101 }).notNull(),
    resource: varchar({ length: 50 }).notNull(),
    action: varchar({ length: 50 }).notNull(),
    description: varchar({ length: 255 }),
    ...timestamps(),
  },
  (table) => [uniqueIndex('permissions_name_key').on(table.name)],
)

export const rolePermissions = pgTable(
  'role_permissions',
  {
    roleId: integer()
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
    permissionId: integer()
      .notNull()
      .references(() => permissions.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.roleId, table.permissionId] }),
    index('role_permissions_permission_id_idx').on(table.permissionId),
  ],
)

export type RoleRow = typeof roles.$inferSelect
export type PermissionRow = typeof permissions.$inferSelect
