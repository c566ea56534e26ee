import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUser,
  deactivateInDatabase,
  everyAction,
  type TestUser,
} from '../../../test/helpers/accounts.ts'
import { createTestApp, recordingLogger, type TestApp } from '../../../test/helpers/app.ts'
import { systemPrincipal } from '../../core/auth/access.ts'
import { seedModules } from '../../core/module.ts'
import { modules } from '../index.ts'

let t: TestApp
let admin: TestUser
let superuser: TestUser
beforeAll(async () => {
  t = await createTestApp()
  admin = await createUser(t, { permissions: everyAction('users') })
  superuser = await createUser(t, { superuser: true })
})
afterAll(() => t.close())

describe('GET /api/v1/users/me/permissions', () => {
  it("lists the caller's role permissions, sorted, and says whether it is a superuser", async () => {
    const clerk = await createUser(t, { permissions: ['products:update', 'categories:read'] })
    expect((await t.call('GET', '/users/me/permissions', clerk)).json()).toEqual({
      is_superuser: false,
      permissions: ['categories:read', 'products:update'],
    })
    expect((await t.call('GET', '/users/me/permissions', await createUser(t))).json()).toEqual({
      is_superuser: false,
      permissions: [],
    })
    expect((await t.call('GET', '/users/me/permissions', superuser)).json()).toMatchObject({
      is_superuser: true,
    })
    expect((await t.call('GET', '/users/me/permissions')).statusCode).toBe(401)
  })
})

describe('GET /api/v1/users/me', () => {
  it('returns the current user with every contract field', async () => {
    const user = await createUser(t)
    const response = await t.call('GET', '/users/me', user)
    expect(response.statusCode).toBe(200)
    expect(Object.keys(response.json()).sort()).toEqual(
      [
        'id',
        'email',
        'username',
        'first_name',
        'last_name',
        'phone_number',
        'is_active',
        'is_superuser',
        'role_id',
        'role',
        'two_factor_enabled',
        'created_at',
        'updated_at',
      ].sort(),
    )
    expect(response.json().created_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/)
  })

  it('shows the role by id and name', async () => {
    const response = await t.call('GET', '/users/me', admin)
    expect(response.json().role).toEqual({
      id: response.json().role_id,
      name: expect.stringMatching(/^role-/),
    })
  })

  it('answers 401 to a deactivated user, whose sessions ended', async () => {
    const user = await createUser(t, { active: false })
    expect((await t.call('GET', '/users/me', user)).statusCode).toBe(401)
  })

  it('answers 403 to an inactive user whose session is alive', async () => {
    const user = await createUser(t)
    await deactivateInDatabase(t, user.id)
    expect((await t.call('GET', '/users/me', user)).statusCode).toBe(403)
  })
})

describe('PATCH /api/v1/users/me', () => {
  it('updates only the profile fields sent', async () => {
    const user = await createUser(t)
    const response = await t.call('PATCH', '/users/me', user, {
      first_name: 'Grace',
      phone_number: '+447700900123',
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ first_name: 'Grace', phone_number: '+447700900123' })
    expect(response.json().username).toMatch(/^user-/)
  })

  it('refuses privileged fields', async () => {
    const user = await createUser(t)
    const response = await t.call('PATCH', '/users/me', user, { is_superuser: true })
    expect(response.statusCode).toBe(422)
    expect((await t.call('GET', '/users/me', user)).json().is_superuser).toBe(false)
  })

  it('returns 409 for a username that is taken', async () => {
    const user = await createUser(t)
    const other = (await t.call('GET', '/users/me', admin)).json().username
    expect(
      (await t.call('PATCH', '/users/me', user, { username: other.toUpperCase() })).statusCode,
    ).toBe(409)
  })
})

describe('users admin', () => {
  it('lists users as a page, newest first, and searches', async () => {
    const marker = await createUser(t, { email: 'findme-zebra@example.com' })
    const page = await t.call('GET', '/users/?page=1&size=2', admin)
    expect(page.statusCode).toBe(200)
    expect(page.json()).toMatchObject({ page: 1, size: 2 })
    expect(page.json().items).toHaveLength(2)
    expect(page.json().pages).toBe(Math.ceil(page.json().total / 2))
    const found = await t.call('GET', '/users/?search=ZEBRA', admin)
    expect(found.json().items.map((u: { id: number }) => u.id)).toEqual([marker.id])
    expect(found.json().total).toBe(1)
  })

  it('treats % and _ in a search literally', async () => {
    const response = await t.call('GET', '/users/?search=%25', admin)
    expect(response.statusCode).toBe(200)
    expect(response.json().total).toBe(0)
  })

  it('gives the total even past the last page', async () => {
    const response = await t.call('GET', '/users/?page=9999&size=100', admin)
    expect(response.json().items).toEqual([])
    expect(response.json().total).toBeGreaterThan(0)
  })

  it('rejects a page size over 100', async () => {
    expect((await t.call('GET', '/users/?size=101', admin)).statusCode).toBe(422)
  })

  it('creates, reads, updates and deletes a user', async () => {
    const created = await t.call('POST', '/users/', admin, {
      email: 'made-by-admin@example.com',
      username: 'made-by-admin',
      password: 'secret-pass-1',
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect((await t.call('GET', `/users/${id}`, admin)).json().email).toBe(
      'made-by-admin@example.com',
    )
    const updated = await t.call('PATCH', `/users/${id}`, admin, {
      is_active: false,
      last_name: 'Lovelace',
    })
    expect(updated.json()).toMatchObject({ is_active: false, last_name: 'Lovelace' })
    expect((await t.call('DELETE', `/users/${id}`, admin)).statusCode).toBe(204)
    expect((await t.call('GET', `/users/${id}`, admin)).statusCode).toBe(404)
  })

  it('lets only a superuser grant is_superuser', async () => {
    const target = await createUser(t)
    const byAdmin = await t.call('PATCH', `/users/${target.id}`, admin, { is_superuser: true })
    expect(byAdmin.statusCode).toBe(403)
    const bySuperuser = await t.call('PATCH', `/users/${target.id}`, superuser, {
      is_superuser: true,
    })
    expect(bySuperuser.json().is_superuser).toBe(true)
    const createdByAdmin = await t.call('POST', '/users/', admin, {
      email: 'sneaky@example.com',
      username: 'sneaky',
      password: 'secret-pass-1',
      is_superuser: true,
    })
    expect(createdByAdmin.statusCode).toBe(403)
  })

  it('returns 422 for a role that does not exist', async () => {
    const target = await createUser(t)
    expect(
      (await t.call('PATCH', `/users/${target.id}`, admin, { role_id: 999999 })).statusCode,
    ).toBe(422)
  })

  it('returns 404 for a user that does not exist', async () => {
    expect((await t.call('GET', '/users/2147483647', admin)).statusCode).toBe(404)
    expect((await t.call('PATCH', '/users/2147483647', admin, { last_name: 'x' })).statusCode).toBe(
      404,
    )
    expect((await t.call('DELETE', '/users/2147483647', admin)).statusCode).toBe(404)
  })

  it('does not let a user delete themselves', async () => {
    expect((await t.call('DELETE', `/users/${admin.id}`, admin)).statusCode).toBe(409)
  })
})

describe('access rules of user administration', () => {
  const roleId = async (user: TestUser) => (await t.services.usersService.get(user.id)).roleId

  it('assigns only a role whose every permission the caller holds', async () => {
    const target = await createUser(t)
    const broader = await createUser(t, { permissions: ['users:read', 'roles:delete'] })
    const narrower = await createUser(t, { permissions: ['users:read'] })
    const refused = await t.call('PATCH', `/users/${target.id}`, admin, {
      role_id: await roleId(broader),
    })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({
      code: 'permission_not_held',
      permissions: ['roles:delete'],
    })
    expect(refused.json().detail).toMatch(/^You cannot assign role ".+": it grants permissions/)
    const createdWithIt = await t.call('POST', '/users/', admin, {
      email: 'rich-by-role@example.com',
      username: 'rich-by-role',
      password: 'secret-pass-1',
      role_id: await roleId(broader),
    })
    expect(createdWithIt.statusCode).toBe(403)
    const allowed = await t.call('PATCH', `/users/${target.id}`, admin, {
      role_id: await roleId(narrower),
    })
    expect(allowed.statusCode).toBe(200)
    expect(allowed.json().role_id).toBe(await roleId(narrower))
  })

  it('lets nobody change their own role_id or is_active', async () => {
    const self = await createUser(t, { permissions: ['users:read', 'users:update'] })
    const other = await createUser(t, { permissions: ['users:read'] })
    for (const change of [
      { role_id: await roleId(other) },
      { role_id: null },
      { is_active: false },
    ]) {
      const response = await t.call('PATCH', `/users/${self.id}`, self, change)
      expect(response.statusCode).toBe(403)
      expect(response.json().code).toBe('own_account')
    }
    const unchanged = await t.call('PATCH', `/users/${self.id}`, self, {
      role_id: await roleId(self),
      is_active: true,
      first_name: 'Same',
    })
    expect(unchanged.statusCode).toBe(200)
    const bySuperuser = await t.call('PATCH', `/users/${superuser.id}`, superuser, {
      is_active: false,
    })
    expect(bySuperuser.statusCode).toBe(403)
  })

  it('lets only a superuser change, deactivate or delete a superuser', async () => {
    const target = await createUser(t, { superuser: true })
    for (const [method, payload] of [
      ['PATCH', { is_active: false }],
      ['PATCH', { first_name: 'Mallory' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await t.call(method, `/users/${target.id}`, admin, payload)
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({
        code: 'superuser_only',
        detail: 'Only a superuser may change, deactivate or delete a superuser',
      })
    }
    const revoked = await t.call('PATCH', `/users/${target.id}`, superuser, { is_superuser: false })
    expect(revoked.json().is_superuser).toBe(false)
  })

  it('lets nobody change or delete a user who holds more than they do', async () => {
    const editor = await createUser(t, { permissions: ['products:delete'] })
    const renamed = await t.call('PATCH', `/users/${editor.id}`, admin, { first_name: 'X' })
    expect(renamed.statusCode).toBe(403)
    expect(renamed.json()).toMatchObject({
      code: 'permission_not_held',
      permissions: ['products:delete'],
    })
    expect((await t.call('DELETE', `/users/${editor.id}`, admin)).statusCode).toBe(403)
    expect((await t.call('GET', '/users/me', editor)).statusCode).toBe(200)
  })

  it('keeps the last active superuser: 409 to deactivate, demote or delete it', async () => {
    const only = await createTestApp()
    try {
      const first = await createUser(only, { superuser: true })
      const second = await createUser(only, { superuser: true })
      const patch = (who: TestUser, id: number, payload: object) =>
        only.app.inject({
          method: 'PATCH',
          url: `/api/v1/users/${id}`,
          headers: who.headers,
          payload,
        })
      expect((await patch(first, second.id, { is_superuser: false })).statusCode).toBe(200)
      for (const payload of [{ is_superuser: false }, { is_active: false }]) {
        const response = await only.services.usersService
          .update(systemPrincipal, first.id, payload)
          .catch((error: { status: number; code: string }) => error)
        expect(response).toMatchObject({ status: 409, code: 'last_superuser' })
      }
      const deleted = await only.services.usersService
        .delete(systemPrincipal, first.id)
        .catch((error: { status: number; code: string }) => error)
      expect(deleted).toMatchObject({ status: 409, code: 'last_superuser' })
      const demoteSelf = await patch(first, first.id, { is_superuser: false })
      expect(demoteSelf.statusCode).toBe(409)
      expect(demoteSelf.json().detail).toBe(
        'The last active superuser cannot be deactivated, demoted or deleted',
      )
    } finally {
      await only.close()
    }
  })

  it('of two superusers demoting each other at once, one stays', async () => {
    const only = await createTestApp()
    try {
      const [first, second] = [
        await createUser(only, { superuser: true }),
        await createUser(only, { superuser: true }),
      ]
      const answers = await Promise.all(
        [
          [first, second],
          [second, first],
        ].map(([who, target]) =>
          only.app.inject({
            method: 'PATCH',
            url: `/api/v1/users/${target?.id}`,
            headers: who?.headers,
            payload: { is_superuser: false },
          }),
        ),
      )
      // The other is refused: 409 when both were superusers as they asked (the last one stays),
      // 403 when the first change had committed before the second caller was authorized.
      const [done, refused] = answers.map((answer) => answer.statusCode).sort()
      expect(done).toBe(200)
      expect([403, 409]).toContain(refused)
      const supers = await Promise.all(
        [first, second].map(
          async (user) => (await only.services.usersService.get(user?.id ?? 0)).isSuperuser,
        ),
      )
      expect(supers.filter(Boolean)).toHaveLength(1)
    } finally {
      await only.close()
    }
  })
})

describe('start-up without a superuser', () => {
  it('warns once per start, with the command that makes one', async () => {
    const { lines, logger } = recordingLogger('warn')
    const bare = await createTestApp({ logger })
    try {
      const warnings = () => lines.filter((line) => line.msg.startsWith('No active superuser'))
      expect(warnings()).toHaveLength(1)
      expect(warnings()[0]?.msg).toContain('npm run cli -- create-superuser')
      await createUser(bare, { superuser: true })
      await seedModules(modules, bare.services, bare.context)
      expect(warnings()).toHaveLength(1)
    } finally {
      await bare.close()
    }
  })
})
