import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { writePgliteTemplate } from '../../../bin/pglite-template.mjs'
import { type PgliteClient, startPgliteThread } from './pglite-thread.ts'

const workerUrl = () => new URL(inject('pgliteWorker'))

describe('PGlite on its own thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-thread-'))
  let client: PgliteClient

  beforeAll(async () => {
    client = startPgliteThread({ dataDir: join(dir, 'pgdata') }, workerUrl())
    await client.exec(
      'create table items (id serial primary key, name text unique not null, at timestamptz default now())',
    )
  }, 30_000)
  afterAll(async () => {
    await client.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers queries with parameters, as objects or arrays', async () => {
    await client.query('insert into items (name) values ($1), ($2)', ['apple', 'pear'])
    const objects = await client.query<{ name: string }>(
      'select name from items where name = any($1) order by name',
      [['apple', 'pear']],
    )
    expect(objects.rows).toEqual([{ name: 'apple' }, { name: 'pear' }])
    const arrays = await client.query('select id, name from items order by id', [], {
      rowMode: 'array',
    })
    expect(arrays.rows).toEqual([
      [1, 'apple'],
      [2, 'pear'],
    ])
    expect(arrays.fields.map((field) => field.name)).toEqual(['id', 'name'])
  })

  it('keeps as text the types whose parsers Drizzle passes', async () => {
    const timestamptz = 1184
    const parsed = await client.query<{ at: unknown }>('select at from items limit 1')
    expect(parsed.rows[0]?.at).toBeInstanceOf(Date)
    const text = await client.query<{ at: unknown }>('select at from items limit 1', [], {
      parsers: { [timestamptz]: (value: string) => value },
    })
    expect(text.rows[0]?.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
  })

  it('counts the rows a write changed', async () => {
    await client.exec('create table fruit (name text)')
    await client.query('insert into fruit values ($1), ($2)', ['plum', 'fig'])
    const changed = await client.query('update fruit set name = upper(name) where name = any($1)', [
      ['plum', 'fig', 'none'],
    ])
    expect(changed.affectedRows).toBe(2)
    expect((await client.query('delete from fruit where name = $1', ['none'])).affectedRows).toBe(0)
  })

  it.each([
    { by: 'exec', table: 'shapes' },
    { by: 'query', table: 'sizes' },
  ] as const)(
    'answers a statement parsed before a schema change made by $by with the new schema',
    async ({ by, table }) => {
      const change = (sql: string) => (by === 'exec' ? client.exec(sql) : client.query(sql))
      await change(`create table ${table} (id int)`)
      await client.query(`insert into ${table} values (1)`)
      expect((await client.query(`select * from ${table}`)).rows).toEqual([{ id: 1 }])
      await change(`alter table ${table} add column label text default 'small'`)
      expect((await client.query(`select * from ${table}`)).rows).toEqual([
        { id: 1, label: 'small' },
      ])
      // The statement parsed before the change is closed, not left behind.
      const held = await client.query<{ statement: string }>(
        'select statement from pg_prepared_statements',
      )
      expect(held.rows.filter((row) => row.statement === `select * from ${table}`)).toHaveLength(1)
    },
  )

  it('keeps answering past the number of statements it keeps parsed', async () => {
    for (let n = 0; n < 520; n++) {
      expect((await client.query(`select ${n} as n`)).rows).toEqual([{ n }])
    }
    expect((await client.query('select 0 as n')).rows).toEqual([{ n: 0 }])
    // The least recently used are closed: PostgreSQL holds no more than the thread keeps.
    const held = await client.query<{ n: number }>(
      'select count(*)::int as n from pg_prepared_statements',
    )
    expect(held.rows[0]?.n).toBeLessThanOrEqual(500)
  })

  it('passes on a PostgreSQL error with its code and fields', async () => {
    const failed = client.query('insert into items (name) values ($1)', ['apple'])
    await expect(failed).rejects.toMatchObject({
      code: '23505',
      constraint: 'items_name_key',
      message: expect.stringContaining('duplicate key'),
    })
    await expect(failed).rejects.toBeInstanceOf(Error)
  })

  it('commits a transaction, and rolls it back when its work throws', async () => {
    const committed = await client.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['plum'])
      return (await tx.query<{ n: number }>('select count(*)::int as n from items')).rows[0]?.n
    })
    expect(committed).toBe(3)
    const failure = new Error('changed my mind')
    await expect(
      client.transaction(async (tx) => {
        await tx.query('insert into items (name) values ($1)', ['fig'])
        throw failure
      }),
    ).rejects.toBe(failure)
    const { rows } = await client.query<{ name: string }>('select name from items order by id')
    expect(rows.map((row) => row.name)).toEqual(['apple', 'pear', 'plum'])
  })

  it('runs a query made during a transaction after it, not inside it', async () => {
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const transaction = client.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['kiwi'])
      await held
      throw new Error('rolled back')
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const outside = client.query<{ n: number }>(
      "select count(*)::int as n from items where name = 'kiwi'",
    )
    release()
    await expect(transaction).rejects.toThrow('rolled back')
    expect((await outside).rows[0]?.n).toBe(0)
  })

  it('refuses queries once closed', async () => {
    const template = readFileSync(inject('pgliteTemplate'))
    const other = startPgliteThread({ loadDataDir: template }, workerUrl())
    await other.query('select 1')
    await other.close()
    expect(other.closed).toBe(true)
    await expect(other.query('select 1')).rejects.toThrow(/embedded database/)
  })

  it('fails its queries, instead of hanging them, when the database cannot start', async () => {
    const file = join(dir, 'not-a-directory')
    writeFileSync(file, 'x')
    const broken = startPgliteThread({ dataDir: file }, workerUrl())
    await expect(broken.query('select 1')).rejects.toBeInstanceOf(Error)
    await broken.close()
  }, 30_000)
})

describe('a new data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-template-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is created from a template when new, and opens again without it', async () => {
    // The run's migrated template, gzipped as the build's is: its tables show it was used.
    const template = join(dir, 'migrated.tar.gz')
    writeFileSync(template, gzipSync(readFileSync(inject('pgliteTemplate'))))
    const pgdata = join(dir, 'from-template')
    const first = startPgliteThread({ dataDir: pgdata, template }, workerUrl())
    const migrated = await first.query<{ users: string | null }>(
      "select to_regclass('public.users')::text as users",
    )
    expect(migrated.rows).toEqual([{ users: 'users' }])
    await first.exec('create table kept (n int); insert into kept values (7)')
    await first.close()
    const again = startPgliteThread({ dataDir: pgdata }, workerUrl())
    expect((await again.query('select n from kept')).rows).toEqual([{ n: 7 }])
    await again.close()
  }, 60_000)

  it('bin/pglite-template.mjs writes an empty database as a gzipped tarball', async () => {
    const template = join(dir, 'pglite-template.tar.gz')
    await writePgliteTemplate(template)
    const tar = gunzipSync(readFileSync(template))
    expect(tar.includes('PG_VERSION')).toBe(true)
    const client = startPgliteThread({ dataDir: join(dir, 'empty'), template }, workerUrl())
    const tables = await client.query<{ count: number }>(
      "select count(*)::int as count from pg_tables where schemaname = 'public'",
    )
    expect(tables.rows).toEqual([{ count: 0 }])
    await client.close()
    expect(existsSync(join(dir, 'empty', 'PG_VERSION'))).toBe(true)
  }, 60_000)
})
