import { eq, getTableColumns, sql } from 'drizzle-orm'
import { boolean, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/app.ts'
import type { DatabaseHandle } from './database.ts'
import { withCompiledRows } from './rows.ts'

const owners = pgTable('rows_test_owners', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
})
const things = pgTable('rows_test_things', {
  id: integer('id').primaryKey(),
  label: text('label'),
  price: numeric('price', { precision: 10, scale: 2 }).notNull(),
  ready: boolean('ready').notNull(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  ownerId: integer('owner_id').notNull(),
})

const tea = {
  id: 1,
  label: 'tea',
  price: '1.50',
  ready: true,
  at: new Date('2026-01-02T03:04:05.678Z'),
  ownerId: 1,
}

let database: DatabaseHandle
beforeAll(async () => {
  database = await createTestDatabase()
  await database.db.execute(
    sql`create table rows_test_owners (id integer primary key, name text not null)`,
  )
  await database.db.execute(
    sql`create table rows_test_things (id integer primary key, label text, price numeric(10,2) not null, ready boolean not null, at timestamptz not null, owner_id integer not null)`,
  )
  await database.db.insert(owners).values([
    { id: 1, name: 'Ada' },
    { id: 2, name: 'Bob' },
  ])
  await database.db.insert(things).values([
    tea,
    {
      id: 2,
      label: null,
      price: '20.00',
      ready: false,
      at: new Date('2026-06-30T23:59:59Z'),
      ownerId: 2,
    },
  ])
})
afterAll(() => database.close())

const select = (join: 'innerJoin' | 'leftJoin' = 'innerJoin') =>
  database.db
    .select({ ...getTableColumns(things), owner: owners })
    .from(things)
    [join](owners, eq(owners.id, things.ownerId))
    .orderBy(things.id)

describe('withCompiledRows', () => {
  it('reads the same objects as drizzle does: nested, nulls, numerics, times', async () => {
    const byDrizzle = await select().prepare('rows_test_drizzle').execute()
    const compiled = await withCompiledRows(select().prepare('rows_test_compiled')).execute()
    expect(compiled).toEqual(byDrizzle)
    expect(compiled[0]).toEqual({ ...tea, owner: { id: 1, name: 'Ada' } })
    expect(compiled[1]?.label).toBeNull()
  })

  it('refuses what it cannot map like drizzle: an outer join, a select of expressions', () => {
    const outer = select('leftJoin')
    expect(() => withCompiledRows(outer.prepare('rows_test_outer'))).toThrow(/inner joins only/)
    const counted = database.db.select({ total: sql<number>`count(*)` }).from(things)
    expect(() => withCompiledRows(counted.prepare('rows_test_count'))).toThrow(/columns only/)
  })
})
