import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { systemPrincipal } from '../src/core/auth/access.ts'
import { createUser, PASSWORD } from './helpers/accounts.ts'
import { createTestApp } from './helpers/app.ts'

// Walks the app's own route table: every route that writes users, roles or permissions is tried
// by a caller holding exactly that route's permission, with every value of every field that
// could grant something, on itself and on others. Whatever each attempt answers, nobody may end
// with a permission the caller does not hold, and nobody may become a superuser.
const t = await createTestApp()
afterAll(() => t.close())

const prefix = t.deps.config.API_V1_PREFIX
const SUPERUSER = '(superuser)'

/** Every user's effective permissions, read from the tables in one query. */
async function holdings(): Promise<Map<number, Set<string>>> {
  const result = await t.deps.database.db.execute(sql`
    select u.id, u.is_superuser, coalesce(array_agg(p.name) filter (where p.name is not null), '{}') as names
    from users u
    left join role_permissions rp on rp.role_id = u.role_id
    left join permissions p on p.id = rp.permission_id
    group by u.id`)
  const rows = (
    result as unknown as { rows: { id: number; is_superuser: boolean; names: string[] }[] }
  ).rows
  return new Map(
    rows.map((row) => [
      Number(row.id),
      new Set(row.is_superuser ? [SUPERUSER, ...row.names] : row.names),
    ]),
  )
}

const writes = t.routes.filter(
  (route) =>
    route.method !== 'GET' &&
    /\/(users|roles|permissions)(\/|$)/.test(route.url.slice(prefix.length)),
)

type JsonSchema = { properties?: Record<string, unknown>; required?: string[] }

describe('no escalation through the routes that write users and roles', () => {
  it('has such routes to check', () => {
    expect(writes.length).toBeGreaterThanOrEqual(10)
  })

  describe.each(writes)('$method $url', (route) => {
    it('gives nobody more than the caller holds', async () => {
      const { rolesService, usersService } = t.services
      const permissionIds = new Map(
        (await rolesService.listPermissions()).map((permission) => [
          permission.name,
          permission.id,
        ]),
      )
      const allIds = [...permissionIds.values()]
      const held = route.access.kind === 'permission' ? [route.access.permission] : []
      const caller = await createUser(t, held.length > 0 ? { permissions: held } : {})
      const callerRoleId = (await usersService.get(caller.id)).roleId
      const victim = await createUser(t)
      const superuser = await createUser(t, { superuser: true })
      const rich = await rolesService.createRole(systemPrincipal, {
        name: `rich-${randomUUID().slice(0, 8)}`,
        permission_ids: allIds,
      })
      const empty = await rolesService.createRole(systemPrincipal, {
        name: `empty-${randomUUID().slice(0, 8)}`,
      })
      const adminRole = (await rolesService.listRoles()).find((role) => role.name === 'admin')
      const heldIds = held.map((name) => permissionIds.get(name) as number)
      const notHeldIds = allIds.filter((id) => !heldIds.includes(id))
      const roleIds = [callerRoleId, rich.id, empty.id, adminRole?.id].filter(
        (id): id is number => typeof id === 'number',
      )

      let serial = 0
      const unique = () => `esc${++serial}${randomUUID().slice(0, 6)}`
      /** Valid values of the fields a body needs, so an attempt reaches the access rules. */
      const valid: Record<string, () => unknown> = {
        email: () => `${unique()}@example.com`,
        username: unique,
        password: () => PASSWORD,
        name: unique,
        resource: unique,
        action: () => 'act',
        current_password: () => PASSWORD,
        new_password: () => 'another-pass-42',
        permission_ids: () => heldIds,
      }
      /** The values that could grant something. */
      const granting: Record<string, unknown[]> = {
        role_id: [...roleIds, null],
        is_superuser: [true, false],
        is_active: [true, false],
        permission_ids: [allIds, notHeldIds.slice(0, 3), heldIds],
      }
      const schema = route.schema as { body?: JsonSchema; params?: JsonSchema } | undefined
      const fields = Object.keys(schema?.body?.properties ?? {})
      const base = () =>
        Object.fromEntries(
          (schema?.body?.required ?? []).map((field) => {
            const make = valid[field]
            if (!make) throw new Error(`no valid value for required field ${field} of ${route.url}`)
            return [field, make()]
          }),
        )
      const bodies: (Record<string, unknown> | undefined)[] = schema?.body
        ? [
            base(),
            ...fields.flatMap((field) =>
              (granting[field] ?? []).map((value) => ({ ...base(), [field]: value })),
            ),
            {
              ...base(),
              ...Object.fromEntries(
                fields.filter((f) => granting[f]).map((f) => [f, granting[f]?.[0]]),
              ),
            },
          ]
        : [undefined]
      const isRoleRoute = /\/roles\//.test(route.url)
      const ids = isRoleRoute ? roleIds : [caller.id, victim.id, superuser.id]
      const permissionParam = [heldIds[0] ?? allIds[0], notHeldIds[0]].filter(Boolean)
      const urls = route.url.includes(':permission_id')
        ? ids.flatMap((id) =>
            permissionParam.map((pid) =>
              route.url.replace(':id', String(id)).replace(':permission_id', String(pid)),
            ),
          )
        : route.url.includes(':id')
          ? ids.map((id) => route.url.replace(':id', String(id)))
          : [route.url]

      const answered: number[] = []
      for (const url of urls) {
        for (const body of bodies) {
          const before = await holdings()
          const callerHolds = before.get(caller.id) ?? new Set()
          const response = await t.app.inject({
            method: route.method as 'POST',
            url,
            headers: caller.headers,
            payload: body,
          })
          answered.push(response.statusCode)
          expect(response.statusCode, `${url} ${JSON.stringify(body)}`).toBeLessThan(500)
          for (const [userId, after] of await holdings()) {
            const had = before.get(userId) ?? new Set()
            const gained = [...after].filter((name) => !had.has(name) && !callerHolds.has(name))
            expect(gained, `user ${userId} after ${url} ${JSON.stringify(body)}`).toEqual([])
          }
        }
      }
      // Attempts that all bounced off validation would prove nothing.
      expect(answered.some((status) => status < 300)).toBe(true)
      if (fields.some((field) => granting[field])) expect(answered).toContain(403)
    })
  })
})
