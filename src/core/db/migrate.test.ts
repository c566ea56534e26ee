import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createTestDatabase, silentLogger, usingPostgres } from '../../../test/helpers/app.ts'
import { adminQuery, withDatabase } from '../../../test/helpers/postgres.ts'
import { type DatabaseHandle, MIGRATIONS_FOLDER, openPostgres } from './database.ts'

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'))

async function appliedCount({ db }: Pick<DatabaseHandle, 'db'>): Promise<number | undefined> {
  const result = (await db.execute(
    sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
  )) as unknown as { rows: { count: number }[] }
  return result.rows[0]?.count
}

describe('migrations', () => {
  it('apply once; running them again changes nothing', async () => {
    const database = await createTestDatabase()
    try {
      expect(await appliedCount(database)).toBe(journal.entries.length)
      await database.migrate()
      await database.migrate()
      expect(await appliedCount(database)).toBe(journal.entries.length)
    } finally {
      await database.close()
    }
  })

  it.runIf(usingPostgres)(
    'are applied once when several processes start at once on PostgreSQL',
    async () => {
      const url = process.env.DATABASE_URL as string
      const name = `food_fleet_migrate_${process.pid}`
      await adminQuery(url, `create database ${name}`)
      const handles = await Promise.all(
        Array.from({ length: 4 }, () =>
          openPostgres(withDatabase(url, name), 2, { logger: silentLogger }),
        ),
      )
      try {
        await Promise.all(handles.map((handle) => handle.migrate()))
        const [first] = handles as [DatabaseHandle]
        expect(await appliedCount(first)).toBe(journal.entries.length)
      } finally {
        await Promise.all(handles.map((handle) => handle.close()))
        await adminQuery(url, `drop database if exists ${name} with (force)`)
      }
    },
  )
})
