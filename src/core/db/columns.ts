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
