import type { Cache } from '../../core/cache.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import {
  permissionNameTaken,
  roleInUse,
  roleNameTaken,
  roleNotFound,
  systemRoleProtected,
  unknownPermissions,
} from './roles.errors.ts'
import type { PermissionRow } from './roles.models.ts'
import type { RolesQueries, RolesRepository, RoleWithPermissions } from './roles.repository.ts'

export const CRUD_ACTIONS = ['create', 'read', 'update', 'delete'] as const

/** Resources whose CRUD permissions are seeded (API.md); `make:module` appends to this list. */
export const SEEDED_RESOURCES = [
  'users',
  'roles',
  'products',
  'categories',
  'files',
  'notifications',
]

/** System roles: `admin` holds every permission, `editor` the catalogue's. */
const SYSTEM_ROLES: { name: string; description: string; resources: string[] | 'all' }[] = [
  { name: 'admin', description: 'Every permission', resources: 'all' },
  {
    name: 'editor',
    description: 'Manages products and categories',
    resources: ['products', 'categories'],
  },
]

const ACCESS_CACHE_PREFIX = 'roles:access:'
const ACCESS_CACHE_SECONDS = 300

export interface RoleAccess {
  name: string
  permissions: string[]
}

export function createRolesService({
  rolesRepository,
  cache,
}: {
  rolesRepository: RolesRepository
  cache: Cache
}) {
  /** Any change to roles or grants: the next request of every process sees it. */
  const forgetAccess = () => cache.deleteByPrefix(ACCESS_CACHE_PREFIX)

  async function requireRole(roleId: number): Promise<RoleWithPermissions> {
    const role = await rolesRepository.findRole(roleId)
    if (!role) throw roleNotFound(roleId)
    return role
  }

  async function checkPermissionIds(repository: RolesQueries, ids: number[]) {
    const found = new Set(await repository.findPermissionIds(ids))
    const missing = ids.filter((id) => !found.has(id))
    if (missing.length > 0) throw unknownPermissions(missing)
  }

  return {
    listPermissions: () => rolesRepository.listPermissions(),

    async createPermission(input: {
      resource: string
      action: string
      description?: string | null
    }): Promise<PermissionRow> {
      const name = `${input.resource}:${input.action}`
      try {
        return await rolesRepository.insertPermission({ ...input, name })
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw permissionNameTaken(name)
        throw error
      }
    },

    listRoles: () => rolesRepository.listRoles(),

    getRole: requireRole,

    async createRole(input: {
      name: string
      description?: string | null
      permission_ids?: number[]
    }): Promise<RoleWithPermissions> {
      const permissionIds = input.permission_ids ?? []
      try {
        const roleId = await rolesRepository.transaction(async (repository) => {
          await checkPermissionIds(repository, permissionIds)
          const role = await repository.insertRole({
            name: input.name,
            description: input.description ?? null,
          })
          await repository.grant(role.id, permissionIds)
          return role.id
        })
        return requireRole(roleId)
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw roleNameTaken(input.name)
        throw error
      }
    },

    async updateRole(
      roleId: number,
      input: { name?: string; description?: string | null },
    ): Promise<RoleWithPermissions> {
      const role = await requireRole(roleId)
      if (role.isSystem && input.name !== undefined && input.name !== role.name) {
        throw systemRoleProtected(role.name)
      }
      try {
        await rolesRepository.updateRole(roleId, input)
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw roleNameTaken(input.name ?? role.name)
        throw error
      }
      await forgetAccess()
      return requireRole(roleId)
    },

    async deleteRole(roleId: number): Promise<void> {
      const role = await requireRole(roleId)
      if (role.isSystem) throw systemRoleProtected(role.name)
      try {
        await rolesRepository.deleteRole(roleId)
      } catch (error) {
        // users.role_id is ON DELETE RESTRICT: PostgreSQL 18 (PGlite) says 23001, 15 says 23503
        const code = databaseErrorCode(error)
        if (code === '23001' || code === '23503') throw roleInUse(roleId)
        throw error
      }
      await forgetAccess()
    },

    async addPermissions(roleId: number, permissionIds: number[]): Promise<RoleWithPermissions> {
      await requireRole(roleId)
      await rolesRepository.transaction(async (repository) => {
        await checkPermissionIds(repository, permissionIds)
        await repository.grant(roleId, permissionIds)
      })
      await forgetAccess()
      return requireRole(roleId)
    },

    async removePermission(roleId: number, permissionId: number): Promise<RoleWithPermissions> {
      await requireRole(roleId)
      await rolesRepository.revoke(roleId, permissionId)
      await forgetAccess()
      return requireRole(roleId)
    },

    /** A role's name and permission names: cached, and forgotten on every change. */
    async accessOf(roleId: number): Promise<RoleAccess | undefined> {
      const key = `${ACCESS_CACHE_PREFIX}${roleId}`
      const cached = await cache.get<RoleAccess>(key)
      if (cached) return cached
      const access = await rolesRepository.findAccess(roleId)
      if (access) await cache.set(key, access, ACCESS_CACHE_SECONDS)
      return access
    },

    /** Idempotent: the CRUD permissions of every seeded resource and the system roles. */
    async seed(resources: string[] = SEEDED_RESOURCES): Promise<void> {
      await rolesRepository.ensurePermissions(
        resources.flatMap((resource) =>
          CRUD_ACTIONS.map((action) => ({
            name: `${resource}:${action}`,
            resource,
            action,
            description: `${action[0]?.toUpperCase()}${action.slice(1)} ${resource}`,
          })),
        ),
      )
      for (const role of SYSTEM_ROLES) {
        const roleId = await rolesRepository.ensureRole({
          name: role.name,
          description: role.description,
          isSystem: true,
        })
        await rolesRepository.grantResources(roleId, role.resources)
      }
      await forgetAccess()
    },
  }
}

export type RolesService = ReturnType<typeof createRolesService>
