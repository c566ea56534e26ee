import { type Placeholder, sql } from 'drizzle-orm'
import { integer, timestamp } from 'drizzle-orm/pg-core'

/** The guide's BaseModel: an integer primary key and creation/update times, on every table. */
export const id = () => integer('id').primaryKey().generatedAlwaysAsIdentity()

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()

export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date())

export const timestamps = () => ({ createdAt: createdAt(), updatedAt: updatedAt() })

/** A LIKE pattern matching `text` anywhere, its own `%`, `_` and `\` taken literally. */
export const containing = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`

/**
 * `{ key: sql.placeholder(key) }` for each key: the values of a prepared insert, built once and
 * then only bound (drizzle spends more on building an insert than PostgreSQL on running it).
 */
export function placeholders<const Key extends string>(...keys: Key[]): Record<Key, Placeholder> {
  const values: Partial<Record<Key, Placeholder>> = {}
  for (const key of keys) values[key] = sql.placeholder(key)
  return values as Record<Key, Placeholder>
}
