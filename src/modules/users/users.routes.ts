import { Type } from 'typebox'
import { activeUser, principalOf, requirePermission } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { Page } from '../../core/pagination.ts'
import { IdParams, problemResponses } from '../../core/schemas.ts'
import { toUser } from './users.mappers.ts'
import {
  EffectivePermissions,
  ProfileUpdate,
  User,
  UserCreate,
  UsersQuery,
  UserUpdate,
} from './users.schemas.ts'
import type { UsersService, UserWithRole } from './users.service.ts'

const guarded = problemResponses(401, 403)

export function registerUsersRoutes(
  app: App,
  { usersService, prefix }: { usersService: UsersService; prefix: string },
) {
  const base = `${prefix}/users`

  app.get(
    `${base}/me`,
    {
      config: activeUser,
      schema: {
        operationId: 'getCurrentUser',
        summary: 'The current user',
        description: 'The signed-in user.',
        response: { 200: User, ...guarded },
      },
    },
    async (request) => toUser(principalOf(request).record as UserWithRole),
  )

  app.get(
    `${base}/me/permissions`,
    {
      config: activeUser,
      schema: {
        operationId: 'getCurrentPermissions',
        summary: 'What you may do',
        description:
          'Your effective permissions, as the API checks them: for a client to show only what you may use. The API stays the authority.',
        response: { 200: EffectivePermissions, ...guarded },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return { is_superuser: principal.isSuperuser, permissions: [...principal.permissions].sort() }
    },
  )

  app.patch(
    `${base}/me`,
    {
      config: activeUser,
      schema: {
        operationId: 'updateCurrentUser',
        summary: 'Update your profile',
        description:
          'Only the fields sent change; your role and active flag are not yours to change.',
        body: ProfileUpdate,
        response: { 200: User, ...guarded, ...problemResponses(409, 422) },
      },
    },
    async (request) =>
      toUser(await usersService.updateProfile(principalOf(request).userId, request.body)),
  )

  app.get(
    `${base}/`,
    {
      config: requirePermission('users', 'read'),
      schema: {
        operationId: 'listUsers',
        summary: 'List users, newest first; `search` matches email, username and names',
        querystring: UsersQuery,
        response: { 200: Page(User), ...guarded, ...problemResponses(422) },
      },
    },
    async (request) => {
      const { page, size, search } = request.query
      const result = await usersService.list(page, size, search || undefined)
      return { ...result, items: result.items.map(toUser) }
    },
  )

  app.post(
    `${base}/`,
    {
      config: requirePermission('users', 'create'),
      schema: {
        operationId: 'createUser',
        summary: 'Create a user',
        description: 'Assigning a role needs every permission it grants.',
        body: UserCreate,
        response: { 201: User, ...guarded, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toUser(await usersService.create(principalOf(request), request.body))),
  )

  app.get(
    `${base}/:id`,
    {
      config: requirePermission('users', 'read'),
      schema: {
        operationId: 'getUser',
        summary: 'Get a user',
        description: 'One user by id.',
        params: IdParams,
        response: { 200: User, ...guarded, ...problemResponses(404, 422) },
      },
    },
    async (request) => toUser(await usersService.get(request.params.id)),
  )

  app.patch(
    `${base}/:id`,
    {
      config: requirePermission('users', 'update'),
      schema: {
        operationId: 'updateUser',
        summary: 'Update a user (is_superuser only by a superuser)',
        params: IdParams,
        body: UserUpdate,
        response: { 200: User, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) =>
      toUser(await usersService.update(principalOf(request), request.params.id, request.body)),
  )

  app.delete(
    `${base}/:id`,
    {
      config: requirePermission('users', 'delete'),
      schema: {
        operationId: 'deleteUser',
        summary: 'Delete a user',
        description: 'Not the last active superuser; only a superuser deletes a superuser.',
        params: IdParams,
        response: { 204: Type.Null(), ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request, reply) => {
      await usersService.delete(principalOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )
}
