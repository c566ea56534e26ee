import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { CRUD_ACTIONS, type Resource, systemPrincipal } from '../../src/core/auth/access.ts'
import { users } from '../../src/modules/users/users.models.ts'
import type { TestApp } from './app.ts'

export const PASSWORD = 'correct-horse-42'

export interface TestUser {
  id: number
  email: string
  password: string
  accessToken: string
  refreshToken: string
  headers: { authorization: string }
}

/** Every permission on the resources: `everyAction('products')` is products:create … :delete. */
export const everyAction = (...resources: Resource[]): string[] =>
  resources.flatMap((resource) => CRUD_ACTIONS.map((action) => `${resource}:${action}`))

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export async function login(t: TestApp, email: string, password = PASSWORD) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.1`,
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { access_token: string; refresh_token: string }
}

/** Clears `is_active` in the database, as an operator's SQL would: no session is ended. */
export async function deactivateInDatabase(t: TestApp, userId: number): Promise<void> {
  await t.deps.database.db.update(users).set({ isActive: false }).where(eq(users.id, userId))
}

/**
 * A user made through the services and signed in through the API. `permissions` become a
 * fresh role of their own; `superuser` passes every check; `active: false` deactivates it
 * through the service, which ends its sessions.
 */
export async function createUser(
  t: TestApp,
  options: {
    permissions?: readonly string[]
    superuser?: boolean
    active?: boolean
    email?: string
  } = {},
): Promise<TestUser> {
  const { rolesService, usersService } = t.services
  const suffix = randomUUID().slice(0, 8)
  let roleId: number | null = null
  if (options.permissions) {
    const all = await rolesService.listPermissions()
    const ids = options.permissions.map((name) => {
      const found = all.find((permission) => permission.name === name)
      if (!found) throw new Error(`no permission ${name}`)
      return found.id
    })
    roleId = (
      await rolesService.createRole(systemPrincipal, {
        name: `role-${suffix}`,
        permission_ids: ids,
      })
    ).id
  }
  const email = options.email ?? `user-${suffix}@example.com`
  const user = await usersService.create(systemPrincipal, {
    email,
    username: `user-${suffix}`,
    password: PASSWORD,
    is_superuser: options.superuser ?? false,
    role_id: roleId,
  })
  const tokens = await login(t, email)
  if (options.active === false) {
    await usersService.update(systemPrincipal, user.id, { is_active: false })
  }
  return {
    id: user.id,
    email,
    password: PASSWORD,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    headers: bearer(tokens.access_token),
  }
}
