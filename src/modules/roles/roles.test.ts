import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, everyAction, type TestUser } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { systemPrincipal } from '../../core/auth/access.ts'
import { resourcesOf } from '../../core/module.ts'
import { modules } from '../index.ts'

let t: TestApp
let admin: TestUser
beforeAll(async () => {
  t = await createTestApp()
  admin = await createUser(t, {
    permissions: [
      ...everyAction('roles'),
      'users:read',
      'users:update',
      'products:read',
      'products:create',
    ],
  })
})
afterAll(() => t.close())

async function roleNamed(name: string) {
  const roles = (await t.call('GET', '/roles/', admin)).json() as {
    id: number
    name: string
    is_system: boolean
    permissions: { name: string }[]
  }[]
  return roles.find((role) => role.name === name)
}

describe('seeded access', () => {
  it('has CRUD permissions for every resource of the contract', async () => {
    const names = (await t.call('GET', '/permissions/', admin))
      .json()
      .map((p: { name: string }) => p.name)
    for (const resource of ['users', 'roles', 'products', 'categories', 'files', 'notifications']) {
      for (const action of ['create', 'read', 'update', 'delete'])
        expect(names).toContain(`${resource}:${action}`)
    }
  })

  it('has the system roles admin (everything) and editor (catalogue)', async () => {
    const adminRole = await roleNamed('admin')
    const editor = await roleNamed('editor')
    expect(adminRole?.is_system).toBe(true)
    expect(adminRole?.permissions).toHaveLength(24)
    expect(editor?.permissions.map((p) => p.name).sort()).toEqual([
      'categories:create',
      'categories:delete',
      'categories:read',
      'categories:update',
      'products:create',
      'products:delete',
      'products:read',
      'products:update',
    ])
  })

  it('seeding again changes nothing', async () => {
    const before = (await t.call('GET', '/roles/', admin)).json()
    await t.services.rolesService.seed(resourcesOf(modules))
    expect((await t.call('GET', '/roles/', admin)).json()).toEqual(before)
  })
})

describe('permissions', () => {
  it('creates a permission named resource:action, and 409 for a duplicate', async () => {
    const created = await t.call('POST', '/permissions/', admin, {
      resource: 'reports',
      action: 'export',
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({
      name: 'reports:export',
      resource: 'reports',
      action: 'export',
    })
    expect(
      (await t.call('POST', '/permissions/', admin, { resource: 'reports', action: 'export' }))
        .statusCode,
    ).toBe(409)
  })
})

describe("the guide's permission body", () => {
  it('takes name when it equals resource:action, and 422 otherwise', async () => {
    const create = (name: string, resource: string, action: string) =>
      t.call('POST', '/permissions/', admin, { name, resource, action })
    const guide = await create('reports:print', 'reports', 'print')
    expect(guide.statusCode).toBe(201)
    expect(guide.json().name).toBe('reports:print')
    const mismatch = await create('users:create', 'reports', 'shred')
    expect(mismatch.statusCode).toBe(422)
    expect(mismatch.json().errors).toEqual([
      { field: 'name', message: 'must equal resource:action ("reports:shred")' },
    ])
  })
})

describe('roles', () => {
  it('creates a role with permissions, renames it, grants and revokes', async () => {
    const permissions = (await t.call('GET', '/permissions/', admin)).json() as {
      id: number
      name: string
    }[]
    const read = permissions.find((p) => p.name === 'products:read') as { id: number }
    const create = permissions.find((p) => p.name === 'products:create') as { id: number }
    const created = await t.call('POST', '/roles/', admin, {
      name: 'viewer',
      permission_ids: [read.id],
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect(created.json().permissions.map((p: { name: string }) => p.name)).toEqual([
      'products:read',
    ])
    expect((await t.call('PATCH', `/roles/${id}`, admin, { name: 'reader' })).json().name).toBe(
      'reader',
    )
    const granted = await t.call('POST', `/roles/${id}/permissions`, admin, {
      permission_ids: [create.id],
    })
    expect(granted.json().permissions).toHaveLength(2)
    const revoked = await t.call('DELETE', `/roles/${id}/permissions/${read.id}`, admin)
    expect(revoked.json().permissions.map((p: { name: string }) => p.name)).toEqual([
      'products:create',
    ])
    expect((await t.call('DELETE', `/roles/${id}`, admin)).statusCode).toBe(204)
    expect((await t.call('GET', `/roles/${id}`, admin)).statusCode).toBe(404)
  })

  it('returns 409 for a duplicate name and 422 for unknown permission ids', async () => {
    expect((await t.call('POST', '/roles/', admin, { name: 'admin' })).statusCode).toBe(409)
    const unknown = await t.call('POST', '/roles/', admin, {
      name: 'ghostly',
      permission_ids: [999999],
    })
    expect(unknown.statusCode).toBe(422)
    expect(await roleNamed('ghostly')).toBeUndefined()
  })

  it('protects system roles from deletion and renaming', async () => {
    const system = await roleNamed('editor')
    expect((await t.call('DELETE', `/roles/${system?.id}`, admin)).statusCode).toBe(409)
    expect(
      (await t.call('PATCH', `/roles/${system?.id}`, admin, { name: 'boss' })).statusCode,
    ).toBe(409)
    expect(
      (await t.call('PATCH', `/roles/${system?.id}`, admin, { description: 'Catalogue team' }))
        .statusCode,
    ).toBe(200)
  })

  it('refuses to delete a role that is still assigned', async () => {
    const role = (await t.call('POST', '/roles/', admin, { name: 'assigned' })).json()
    const user = await createUser(t)
    await t.call('PATCH', `/users/${user.id}`, admin, { role_id: role.id })
    const response = await t.call('DELETE', `/roles/${role.id}`, admin)
    expect(response.statusCode).toBe(409)
    expect(response.json().code).toBe('role_in_use')
  })
})

describe('access rules of role administration', () => {
  const idsOf = async (...names: string[]) => {
    const all = (await t.call('GET', '/permissions/', admin)).json() as {
      id: number
      name: string
    }[]
    return names.map((name) => all.find((p) => p.name === name)?.id as number)
  }
  const names = (response: { json(): { permissions: { name: string }[] } }) =>
    response.json().permissions.map((p) => p.name)

  it('grants only permissions the caller holds, on every route that grants', async () => {
    const [held, notHeld] = await idsOf('products:read', 'products:delete')
    const created = await t.call('POST', '/roles/', admin, {
      name: 'overreach',
      permission_ids: [held, notHeld],
    })
    expect(created.statusCode).toBe(403)
    expect(created.json()).toMatchObject({
      code: 'permission_not_held',
      permissions: ['products:delete'],
      detail: 'You cannot grant or revoke permissions you do not hold: products:delete',
    })
    expect(await roleNamed('overreach')).toBeUndefined()
    const role = (await t.call('POST', '/roles/', admin, { name: 'modest' })).json()
    const added = await t.call('POST', `/roles/${role.id}/permissions`, admin, {
      permission_ids: [held, notHeld],
    })
    expect(added.statusCode).toBe(403)
    const replaced = await t.call('PATCH', `/roles/${role.id}`, admin, {
      permission_ids: [notHeld],
    })
    expect(replaced.statusCode).toBe(403)
    expect((await t.call('GET', `/roles/${role.id}`, admin)).json().permissions).toEqual([])
  })

  it("replaces a role's permissions with PATCH, and revokes only what the caller holds", async () => {
    const [read, create, remove] = await idsOf(
      'products:read',
      'products:create',
      'products:delete',
    )
    const role = (
      await t.call('POST', '/roles/', admin, { name: 'shelf', permission_ids: [read] })
    ).json()
    const replaced = await t.call('PATCH', `/roles/${role.id}`, admin, {
      permission_ids: [create],
      description: 'Stocks shelves',
    })
    expect(replaced.statusCode).toBe(200)
    expect(names(replaced)).toEqual(['products:create'])
    expect(replaced.json().description).toBe('Stocks shelves')
    // A role holding more than the caller: the caller cannot take that away either.
    await t.services.rolesService.addPermissions(systemPrincipal, role.id, [remove as number])
    const revoke = await t.call('DELETE', `/roles/${role.id}/permissions/${remove}`, admin)
    expect(revoke.statusCode).toBe(403)
    const keep = await t.call('PATCH', `/roles/${role.id}`, admin, { permission_ids: [create] })
    expect(keep.statusCode).toBe(403)
  })

  it('leaves the permissions of system roles to the seed (409)', async () => {
    const editor = await roleNamed('editor')
    const [read] = await idsOf('products:read')
    for (const response of [
      await t.call('POST', `/roles/${editor?.id}/permissions`, admin, { permission_ids: [read] }),
      await t.call('DELETE', `/roles/${editor?.id}/permissions/${read}`, admin),
      await t.call('PATCH', `/roles/${editor?.id}`, admin, { permission_ids: [] }),
    ]) {
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe('system_role')
    }
    expect((await roleNamed('editor'))?.permissions).toHaveLength(8)
  })
})

describe('permission changes', () => {
  it('take effect on the very next request', async () => {
    const user = await createUser(t, { permissions: ['users:read'] })
    const me = (await t.call('GET', '/users/me', user)).json()
    expect((await t.call('GET', '/users/', user)).statusCode).toBe(200)
    const permission = (await t.call('GET', '/permissions/', admin))
      .json()
      .find((p: { name: string }) => p.name === 'users:read')
    await t.call('DELETE', `/roles/${me.role_id}/permissions/${permission.id}`, admin)
    expect((await t.call('GET', '/users/', user)).statusCode).toBe(403)
    await t.call('POST', `/roles/${me.role_id}/permissions`, admin, {
      permission_ids: [permission.id],
    })
    expect((await t.call('GET', '/users/', user)).statusCode).toBe(200)
  })

  it('a deactivated user is refused on the next request', async () => {
    const user = await createUser(t)
    expect((await t.call('GET', '/users/me', user)).statusCode).toBe(200)
    await t.call('PATCH', `/users/${user.id}`, admin, { is_active: false })
    const refused = await t.call('GET', '/users/me', user)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().code).toBe('session_ended')
  })
})
