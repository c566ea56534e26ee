import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  numeric,
  pgTable,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core'
import { id, timestamps } from '../../core/db/columns.ts'

export const categories = pgTable(
  'categories',
  {
    id: id(),
    name: varchar({ length: 100 }).notNull(),
    description: varchar({ length: 255 }),
    isActive: boolean().notNull().default(true),
    ...timestamps(),
  },
  (table) => [uniqueIndex('categories_name_key').on(table.name)],
)

export const products = pgTable(
  'products',
  {
    id: id(),
    name: varchar({ length: 200 }).notNull(),
    description: varchar({ length: 1000 }),
    /** Exact money: numeric(10,2), read back as a string and never through float arithmetic. */
    price: numeric({ precision: 10, scale: 2 }).notNull(),
    stock: integer().notNull().default(0),
    isActive: boolean().notNull().default(true),
    categoryId: integer()
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    /** Whether the holders of products:update were told it is low: one alert per crossing. */
    lowStockAlerted: boolean().notNull().default(false),
    ...timestamps(),
  },
  (table) => [
    index('products_name_idx').on(table.name),
    index('products_category_id_id_idx').on(table.categoryId, table.id),
    check('products_price_positive', sql`${table.price} > 0`),
    check('products_stock_not_negative', sql`${table.stock} >= 0`),
  ],
)

export type CategoryRow = typeof categories.$inferSelect
export type ProductRow = typeof products.$inferSelect
