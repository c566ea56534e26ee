import { and, asc, count, desc, eq, exists, ilike, or, type SQL, sql } from 'drizzle-orm'
import { deleteById, updateById } from '../../core/db/by-id.ts'
import { containing } from '../../core/db/columns.ts'
import type { Database } from '../../core/db/database.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import { permissions, rolePermissions } from '../roles/roles.models.ts'
import { type UserRow, users } from './users.models.ts'

export type NewUser = typeof users.$inferInsert
export type UserChanges = Partial<Omit<NewUser, 'id' | 'createdAt'>>

function usersQueries(db: Database) {
  // Run on every authenticated request and every login: built once (see products.repository).
  const byId = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('users_by_id')
  const byEmail = db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, sql.placeholder('email')))
    .prepare('users_by_email')
  return {
    async findById(id: number): Promise<UserRow | undefined> {
      const [row] = await byId.execute({ id })
      return row
    },

    /** Uses the unique index on lower(email). */
    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await byEmail.execute({ email: email.toLowerCase() })
      return row
    },

    async insert(values: NewUser): Promise<UserRow> {
      const [row] = await db.insert(users).values(values).returning()
      return row as UserRow
    },

    update: (id: number, changes: UserChanges) => updateById(db, users, id, changes),

    delete: (id: number) => deleteById(db, users, id),

    /** One page, newest first, and the total, in one round trip (a window count). */
    async page(
      offset: number,
      limit: number,
      search?: string,
    ): Promise<{ rows: UserRow[]; total: number }> {
      let where: SQL | undefined
      if (search) {
        const pattern = containing(search)
        where = or(
          ilike(users.email, pattern),
          ilike(users.username, pattern),
          ilike(users.firstName, pattern),
          ilike(users.lastName, pattern),
        )
      }
      const rows = await db
        .select({ user: users, total: sql<number>`count(*) over ()`.mapWith(Number) })
        .from(users)
        .where(where)
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(limit)
        .offset(offset)
      if (rows.length > 0 || offset === 0) {
        return { rows: rows.map((row) => row.user), total: rows[0]?.total ?? 0 }
      }
      const [counted] = await db.select({ total: count() }).from(users).where(where)
      return { rows: [], total: counted?.total ?? 0 }
    },

    /**
     * The active superusers, locked until the transaction ends: of two requests that each remove
     * one of the last two, the second sees the first's change and is refused.
     */
    async lockActiveSuperusers(): Promise<number[]> {
      const rows = await db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
        .for('update')
      return rows.map((row) => row.id)
    },

    /** Active users who hold the permission: superusers, and users whose role grants it. */
    holdersOf(permission: string): Promise<UserRow[]> {
      const granted = db
        .select({ one: sql`1` })
        .from(rolePermissions)
        .innerJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
        .where(and(eq(rolePermissions.roleId, users.roleId), eq(permissions.name, permission)))
      return db
        .select()
        .from(users)
        .where(and(eq(users.isActive, true), or(eq(users.isSuperuser, true), exists(granted))))
        .orderBy(asc(users.id))
    },

    /** Whether an active superuser exists. */
    async anySuperuser(): Promise<boolean> {
      const rows = await db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
        .limit(1)
      return rows.length > 0
    },
  }
}

export type UsersQueries = ReturnType<typeof usersQueries>

export function createUsersRepository(db: Database) {
  return repositoryOf(db, usersQueries)
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
