import { defineError } from '../../core/errors.ts'

export const roleNotFound = defineError(404, 'not_found', (roleId: number) => ({
  detail: `Role with ID ${roleId} not found`,
  role_id: roleId,
}))

export const roleNameTaken = defineError(409, 'conflict', (name: string) => ({
  detail: `A role named "${name}" already exists`,
  name,
}))

export const permissionNameTaken = defineError(409, 'conflict', (name: string) => ({
  detail: `Permission "${name}" already exists`,
  name,
}))

export const systemRoleProtected = defineError(409, 'system_role', (name: string) => ({
  detail: `Role "${name}" is a system role and cannot be renamed or deleted`,
  name,
}))

export const roleInUse = defineError(409, 'role_in_use', (roleId: number) => ({
  detail: `Role with ID ${roleId} is still assigned to users`,
  role_id: roleId,
}))

export const unknownPermissions = defineError(422, 'validation_failed', (ids: number[]) => ({
  detail: `Unknown permission IDs: ${ids.join(', ')}`,
  errors: [{ field: 'permission_ids', message: `unknown IDs ${ids.join(', ')}` }],
}))

export const permissionNotFound = defineError(404, 'not_found', (permissionId: number) => ({
  detail: `Permission with ID ${permissionId} not found`,
  permission_id: permissionId,
}))

export const systemRolePermissions = defineError(409, 'system_role', (name: string) => ({
  detail: `Role "${name}" is a system role: its permissions are set at start-up and cannot be changed`,
  name,
}))

export const grantNotHeld = defineError(403, 'permission_not_held', (permissions: string[]) => ({
  detail: `You cannot grant or revoke permissions you do not hold: ${permissions.join(', ')}`,
  permissions,
}))

export const permissionNameMismatch = defineError(422, 'validation_failed', (expected: string) => ({
  detail: `Invalid body: name must equal resource:action ("${expected}")`,
  errors: [{ field: 'name', message: `must equal resource:action ("${expected}")` }],
}))
