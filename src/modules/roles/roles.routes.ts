import { Type } from 'typebox'
import { principalOf, requirePermission } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { IdParams, problemResponses } from '../../core/schemas.ts'
import type { PermissionRow } from './roles.models.ts'
import type { RoleWithPermissions } from './roles.repository.ts'
import {
  Permission,
  PermissionCreate,
  Role,
  RoleCreate,
  RolePermissionParams,
  RolePermissionsAdd,
  RoleUpdate,
} from './roles.schemas.ts'
import type { RolesService } from './roles.service.ts'

const toPermission = (row: PermissionRow) => ({
  id: row.id,
  name: row.name,
  resource: row.resource,
  action: row.action,
  description: row.description,
})

const toRole = (row: RoleWithPermissions) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  is_system: row.isSystem,
  permissions: row.permissions.map(toPermission),
  created_at: row.createdAt.toISOString(),
})

const guarded = problemResponses(401, 403)

export function registerRolesRoutes(
  app: App,
  { rolesService, prefix }: { rolesService: RolesService; prefix: string },
) {
  app.get(
    `${prefix}/permissions/`,
    {
      config: requirePermission('roles', 'read'),
      schema: {
        operationId: 'listPermissions',
        summary: 'List permissions',
        description: 'Every permission (`resource:action`).',
        response: { 200: Type.Array(Permission), ...guarded },
      },
    },
    async () => (await rolesService.listPermissions()).map(toPermission),
  )

  app.post(
    `${prefix}/permissions/`,
    {
      config: requirePermission('roles', 'create'),
      schema: {
        operationId: 'createPermission',
        summary: 'Create a permission',
        description: 'A new `resource:action` pair.',
        body: PermissionCreate,
        response: { 201: Permission, ...guarded, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toPermission(await rolesService.createPermission(request.body))),
  )

  app.get(
    `${prefix}/roles/`,
    {
      config: requirePermission('roles', 'read'),
      schema: {
        operationId: 'listRoles',
        summary: 'List roles',
        description: 'Every role with its permissions.',
        response: { 200: Type.Array(Role), ...guarded },
      },
    },
    async () => (await rolesService.listRoles()).map(toRole),
  )

  app.get(
    `${prefix}/roles/:id`,
    {
      config: requirePermission('roles', 'read'),
      schema: {
        operationId: 'getRole',
        summary: 'Get a role',
        description: 'One role with its permissions.',
        params: IdParams,
        response: { 200: Role, ...guarded, ...problemResponses(404, 422) },
      },
    },
    async (request) => toRole(await rolesService.getRole(request.params.id)),
  )

  app.post(
    `${prefix}/roles/`,
    {
      config: requirePermission('roles', 'create'),
      schema: {
        operationId: 'createRole',
        summary: 'Create a role',
        description: 'You can only grant permissions you hold.',
        body: RoleCreate,
        response: { 201: Role, ...guarded, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(toRole(await rolesService.createRole(principalOf(request), request.body))),
  )

  app.patch(
    `${prefix}/roles/:id`,
    {
      config: requirePermission('roles', 'update'),
      schema: {
        operationId: 'updateRole',
        summary: 'Rename or describe a role, or replace its permissions',
        description:
          'System roles keep their name and permissions. Granting or revoking a permission needs holding it.',
        params: IdParams,
        body: RoleUpdate,
        response: { 200: Role, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) =>
      toRole(await rolesService.updateRole(principalOf(request), request.params.id, request.body)),
  )

  app.delete(
    `${prefix}/roles/:id`,
    {
      config: requirePermission('roles', 'delete'),
      schema: {
        operationId: 'deleteRole',
        summary: 'Delete a role (409 for system roles and roles still assigned)',
        params: IdParams,
        response: { 204: Type.Null(), ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request, reply) => {
      await rolesService.deleteRole(request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.post(
    `${prefix}/roles/:id/permissions`,
    {
      config: requirePermission('roles', 'update'),
      schema: {
        operationId: 'grantPermissions',
        summary: 'Grant permissions to a role',
        description: 'Granting a permission needs holding it; system roles are not changed.',
        params: IdParams,
        body: RolePermissionsAdd,
        response: { 200: Role, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) =>
      toRole(
        await rolesService.addPermissions(
          principalOf(request),
          request.params.id,
          request.body.permission_ids,
        ),
      ),
  )

  app.delete(
    `${prefix}/roles/:id/permissions/:permission_id`,
    {
      config: requirePermission('roles', 'update'),
      schema: {
        operationId: 'revokePermission',
        summary: 'Revoke a permission from a role',
        description: 'Revoking a permission needs holding it; system roles are not changed.',
        params: RolePermissionParams,
        response: { 200: Role, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) =>
      toRole(
        await rolesService.removePermission(
          principalOf(request),
          request.params.id,
          request.params.permission_id,
        ),
      ),
  )
}
