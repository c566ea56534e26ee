import {
  CRUD_ACTIONS,
  type Principal,
  permissionsNotHeld,
  type Resource,
} from '../../core/auth/access.ts'
import type { Cache } from '../../core/cache.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import {
  grantNotHeld,
  permissionNameMismatch,
  permissionNameTaken,
  roleInUse,
  roleNameTaken,
  roleNotFound,
  systemRolePermissions,
  systemRoleProtected,
  unknownPermissions,
} from './roles.errors.ts'
import type { PermissionRow } from './roles.models.ts'
import type { RolesQueries, RolesRepository, RoleWithPermissions } from './roles.repository.ts'

/** System roles: `admin` holds every permission, `editor` the catalogue's. */
const SYSTEM_ROLES: { name: string; description: string; resources: Resource[] | 'all' }[] = [
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

  /**
   * The permissions a change grants or revokes must exist, and the actor must hold each of them:
   * nobody gives (or takes) more than they hold.
   */
  async function checkGrant(repository: RolesQueries, actor: Principal, ids: number[]) {
    if (ids.length === 0) return
    const found = await repository.findPermissions(ids)
    const known = new Set(found.map((permission) => permission.id))
    const missing = ids.filter((id) => !known.has(id))
    if (missing.length > 0) throw unknownPermissions(missing)
    const notHeld = permissionsNotHeld(
      actor,
      found.map((permission) => permission.name),
    )
    if (notHeld.length > 0) throw grantNotHeld(notHeld)
  }

  /** System roles get their permissions from the seed on every start: the API does not change them. */
  function checkGrantsEditable(role: RoleWithPermissions) {
    if (role.isSystem) throw systemRolePermissions(role.name)
  }

  return {
    listPermissions: () => rolesRepository.listPermissions(),

    async createPermission(input: {
      name?: string
      resource: string
      action: string
      description?: string | null
    }): Promise<PermissionRow> {
      const name = `${input.resource}:${input.action}`
      if (input.name !== undefined && input.name !== name) throw permissionNameMismatch(name)
      try {
        return await rolesRepository.insertPermission({
          name,
          resource: input.resource,
          action: input.action,
          description: input.description,
        })
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw permissionNameTaken(name)
        throw error
      }
    },

    listRoles: () => rolesRepository.listRoles(),

    getRole: requireRole,

    async createRole(
      actor: Principal,
      input: { name: string; description?: string | null; permission_ids?: number[] },
    ): Promise<RoleWithPermissions> {
      const permissionIds = input.permission_ids ?? []
      try {
        const roleId = await rolesRepository.transaction(async (repository) => {
          await checkGrant(repository, actor, permissionIds)
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

    /** Renames or describes a role; `permission_ids` replaces its permissions. */
    async updateRole(
      actor: Principal,
      roleId: number,
      input: { name?: string; description?: string | null; permission_ids?: number[] },
    ): Promise<RoleWithPermissions> {
      const role = await requireRole(roleId)
      const { permission_ids: permissionIds, ...fields } = input
      if (role.isSystem && fields.name !== undefined && fields.name !== role.name) {
        throw systemRoleProtected(role.name)
      }
      try {
        await rolesRepository.transaction(async (repository) => {
          if (permissionIds !== undefined) {
            const current = role.permissions.map((permission) => permission.id)
            const wanted = new Set(permissionIds)
            const added = permissionIds.filter((id) => !current.includes(id))
            const removed = current.filter((id) => !wanted.has(id))
            if (added.length + removed.length > 0) checkGrantsEditable(role)
            await checkGrant(repository, actor, [...added, ...removed])
            await repository.grant(roleId, added)
            await repository.revoke(roleId, removed)
          }
          if (Object.keys(fields).length > 0) await repository.updateRole(roleId, fields)
        })
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw roleNameTaken(fields.name ?? role.name)
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

    async addPermissions(
      actor: Principal,
      roleId: number,
      permissionIds: number[],
    ): Promise<RoleWithPermissions> {
      checkGrantsEditable(await requireRole(roleId))
      await rolesRepository.transaction(async (repository) => {
        await checkGrant(repository, actor, permissionIds)
        await repository.grant(roleId, permissionIds)
      })
      await forgetAccess()
      return requireRole(roleId)
    },

    async removePermission(
      actor: Principal,
      roleId: number,
      permissionId: number,
    ): Promise<RoleWithPermissions> {
      const role = await requireRole(roleId)
      if (role.permissions.some((permission) => permission.id === permissionId)) {
        checkGrantsEditable(role)
        await checkGrant(rolesRepository, actor, [permissionId])
        await rolesRepository.revoke(roleId, [permissionId])
      }
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

    /** Idempotent: the CRUD permissions of the modules' resources, and the system roles. */
    async seed(resources: readonly Resource[]): Promise<void> {
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
