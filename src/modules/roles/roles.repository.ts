import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { deleteById, updateById } from '../../core/db/by-id.ts'
import type { Database } from '../../core/db/database.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import {
  type PermissionRow,
  permissions,
  type RoleRow,
  rolePermissions,
  roles,
} from './roles.models.ts'

export type RoleWithPermissions = RoleRow & { permissions: PermissionRow[] }

function rolesQueries(db: Database) {
  async function withPermissions(rows: RoleRow[]): Promise<RoleWithPermissions[]> {
    if (rows.length === 0) return []
    const grants = await db
      .select({ roleId: rolePermissions.roleId, permission: permissions })
      .from(rolePermissions)
      .innerJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
      .where(
        inArray(
          rolePermissions.roleId,
          rows.map((row) => row.id),
        ),
      )
      .orderBy(asc(permissions.name))
    return rows.map((row) => ({
      ...row,
      permissions: grants.filter((g) => g.roleId === row.id).map((g) => g.permission),
    }))
  }

  return {
    listPermissions: () => db.select().from(permissions).orderBy(asc(permissions.name)),

    async findPermissions(ids: number[]): Promise<PermissionRow[]> {
      if (ids.length === 0) return []
      return db.select().from(permissions).where(inArray(permissions.id, ids))
    },

    async insertPermission(values: typeof permissions.$inferInsert): Promise<PermissionRow> {
      const [row] = await db.insert(permissions).values(values).returning()
      return row as PermissionRow
    },

    async listRoles(): Promise<RoleWithPermissions[]> {
      return withPermissions(await db.select().from(roles).orderBy(asc(roles.id)))
    },

    async findRole(id: number): Promise<RoleWithPermissions | undefined> {
      const rows = await db.select().from(roles).where(eq(roles.id, id))
      return (await withPermissions(rows))[0]
    },

    async insertRole(values: typeof roles.$inferInsert): Promise<RoleRow> {
      const [row] = await db.insert(roles).values(values).returning()
      return row as RoleRow
    },

    updateRole: (id: number, values: Partial<typeof roles.$inferInsert>) =>
      updateById(db, roles, id, values),

    deleteRole: (id: number) => deleteById(db, roles, id),

    async grant(roleId: number, permissionIds: number[]): Promise<void> {
      if (permissionIds.length === 0) return
      await db
        .insert(rolePermissions)
        .values(permissionIds.map((permissionId) => ({ roleId, permissionId })))
        .onConflictDoNothing()
    },

    async revoke(roleId: number, permissionIds: number[]): Promise<void> {
      if (permissionIds.length === 0) return
      await db
        .delete(rolePermissions)
        .where(
          and(
            eq(rolePermissions.roleId, roleId),
            inArray(rolePermissions.permissionId, permissionIds),
          ),
        )
    },

    /** A role's name and permission names in one query. */
    async findAccess(roleId: number): Promise<{ name: string; permissions: string[] } | undefined> {
      const [row] = await db
        .select({
          name: roles.name,
          permissions: sql<
            string[]
          >`coalesce(array_agg(${permissions.name}) filter (where ${permissions.name} is not null), '{}')`,
        })
        .from(roles)
        .leftJoin(rolePermissions, eq(rolePermissions.roleId, roles.id))
        .leftJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
        .where(eq(roles.id, roleId))
        .groupBy(roles.id)
      return row
    },

    /** Seeding: creates what is missing, leaves what exists. */
    async ensurePermissions(values: (typeof permissions.$inferInsert)[]): Promise<void> {
      const names = values.map((value) => value.name)
      const existing = await db
        .select({ name: permissions.name })
        .from(permissions)
        .where(inArray(permissions.name, names))
      const known = new Set(existing.map((row) => row.name))
      const missing = values.filter((value) => !known.has(value.name))
      if (missing.length > 0) await db.insert(permissions).values(missing).onConflictDoNothing()
    },

    async ensureRole(values: typeof roles.$inferInsert): Promise<number> {
      await db.insert(roles).values(values).onConflictDoNothing()
      const [row] = await db.select({ id: roles.id }).from(roles).where(eq(roles.name, values.name))
      return (row as { id: number }).id
    },

    async grantResources(roleId: number, resources: string[] | 'all'): Promise<void> {
      const chosen = db
        .select({ roleId: sql<number>`${roleId}::int`.as('role_id'), permissionId: permissions.id })
        .from(permissions)
        .where(resources === 'all' ? undefined : inArray(permissions.resource, resources))
      await db.insert(rolePermissions).select(chosen).onConflictDoNothing()
    },
  }
}

export type RolesQueries = ReturnType<typeof rolesQueries>

export function createRolesRepository(db: Database) {
  return repositoryOf(db, rolesQueries)
}

export type RolesRepository = ReturnType<typeof createRolesRepository>
