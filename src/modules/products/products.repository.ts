import { and, asc, count, desc, eq, getTableColumns, ilike, lte, type SQL, sql } from 'drizzle-orm'
import { deleteById, updateById } from '../../core/db/by-id.ts'
import { containing, placeholders } from '../../core/db/columns.ts'
import type { Database } from '../../core/db/database.ts'
import { pageWithTotal } from '../../core/db/pages.ts'
import { withCompiledRows } from '../../core/db/rows.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import { type CategoryRow, categories, type ProductRow, products } from './products.models.ts'
import type { ProductsPageQuery } from './products.schemas.ts'

export type ProductWithCategory = ProductRow & { category: CategoryRow }

/** Which products a page holds, and in what order (`-` first: descending). */
export interface ProductFilters {
  categoryId?: number
  /** Part of the name, any case */
  search?: string
  isActive?: boolean
  sort?: ProductsPageQuery['sort']
}

const SORT_COLUMNS = {
  id: products.id,
  name: products.name,
  price: products.price,
  stock: products.stock,
  created_at: products.createdAt,
}
export type NewProduct = typeof products.$inferInsert
export type NewCategory = typeof categories.$inferInsert

/** Products with their category, joined in the same query (no N+1). */
function productsWithCategory(db: Database) {
  return db
    .select({ ...getTableColumns(products), category: categories })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
}

/** What a product insert takes: every column a client sets (no defaults filled in by drizzle). */
export type NewProductValues = Required<
  Pick<NewProduct, 'name' | 'price' | 'stock' | 'categoryId' | 'isActive'>
> & { description: string | null }

function insertReturningCategory(db: Database) {
  const values = placeholders('name', 'description', 'price', 'stock', 'categoryId', 'isActive')
  const inserted = db.$with('inserted').as(db.insert(products).values(values).returning())
  const product = Object.fromEntries(
    Object.keys(getTableColumns(products)).map((key) => [key, inserted[key as keyof ProductRow]]),
  ) as { [key in keyof ProductRow]: (typeof inserted)[key] }
  return db
    .with(inserted)
    .select({ ...product, category: categories })
    .from(inserted)
    .innerJoin(categories, eq(categories.id, inserted.categoryId))
}

function productsQueries(db: Database) {
  // The catalogue's hot reads, built once: drizzle skips rebuilding the SQL, PostgreSQL parses
  // and plans each once per connection, and their rows are read by a compiled mapper.
  const page = (where?: SQL) =>
    productsWithCategory(db)
      .where(where)
      .orderBy(asc(products.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
  const listPage = withCompiledRows(page().prepare('products_list_page'))
  const listCategoryPage = withCompiledRows(
    page(eq(products.categoryId, sql.placeholder('categoryId'))).prepare('products_category_page'),
  )
  const byId = withCompiledRows(
    productsWithCategory(db)
      .where(eq(products.id, sql.placeholder('id')))
      .prepare('products_by_id'),
  )
  const insertOne = withCompiledRows(insertReturningCategory(db).prepare('products_insert'))
  const counted = (where?: SQL) => db.select({ total: count() }).from(products).where(where)
  const countAll = counted().prepare('products_count')
  const countInCategory = counted(eq(products.categoryId, sql.placeholder('categoryId'))).prepare(
    'products_count_category',
  )

  /** A page of products in id order (v1 lists and v2 pages alike). */
  const listProducts = (
    offset: number,
    limit: number,
    categoryId?: number,
  ): Promise<ProductWithCategory[]> =>
    categoryId === undefined
      ? listPage.execute({ limit, offset })
      : listCategoryPage.execute({ limit, offset, categoryId })

  return {
    listCategories: () => db.select().from(categories).orderBy(asc(categories.id)),

    async findCategory(id: number): Promise<CategoryRow | undefined> {
      const [row] = await db.select().from(categories).where(eq(categories.id, id))
      return row
    },

    async insertCategory(values: NewCategory): Promise<CategoryRow> {
      const [row] = await db.insert(categories).values(values).returning()
      return row as CategoryRow
    },

    updateCategory: (id: number, values: Partial<NewCategory>) =>
      updateById(db, categories, id, values),

    deleteCategory: (id: number) => deleteById(db, categories, id),

    async findProduct(id: number): Promise<ProductWithCategory | undefined> {
      const [row] = await byId.execute({ id })
      return row
    },

    listProducts,

    /**
     * A page of products and how many match. In id order, at most filtered by category: the
     * prepared statements; searched, filtered by state or ordered otherwise: built per request.
     */
    pageProducts(offset: number, limit: number, filters: ProductFilters = {}) {
      const { categoryId, search, isActive, sort = 'id' } = filters
      if (search === undefined && isActive === undefined && sort === 'id') {
        return pageWithTotal(
          listProducts(offset, limit, categoryId),
          categoryId === undefined ? countAll.execute() : countInCategory.execute({ categoryId }),
        )
      }
      const where = and(
        categoryId === undefined ? undefined : eq(products.categoryId, categoryId),
        search === undefined ? undefined : ilike(products.name, containing(search)),
        isActive === undefined ? undefined : eq(products.isActive, isActive),
      )
      const descending = sort.startsWith('-')
      const column = SORT_COLUMNS[sort.replace('-', '') as keyof typeof SORT_COLUMNS]
      const order = descending ? [desc(column), desc(products.id)] : [asc(column), asc(products.id)]
      return pageWithTotal(
        productsWithCategory(db)
          .where(where)
          .orderBy(...order)
          .limit(limit)
          .offset(offset),
        counted(where),
      )
    },

    /** Inserts and reads back with the category in one round trip (a data-modifying CTE). */
    async insertProduct(values: NewProductValues): Promise<ProductWithCategory> {
      const [row] = await insertOne.execute(values)
      return row as ProductWithCategory
    },

    async updateProduct(id: number, values: Partial<NewProduct>): Promise<boolean> {
      const updated = await db
        .update(products)
        .set(values)
        .where(eq(products.id, id))
        .returning({ id: products.id })
      return updated.length > 0
    },

    deleteProduct: (id: number) => deleteById(db, products, id),

    /**
     * Sets the product's low-stock flag to whether it is low now (active, stock at or below
     * `threshold`) and answers it when the flag has just turned on: of concurrent writers, only
     * one sees the change, so a crossing is told once.
     */
    async markLowStock(
      id: number,
      threshold: number,
    ): Promise<Pick<ProductRow, 'id' | 'name' | 'stock'> | undefined> {
      const isLow = sql`(${products.isActive} and ${products.stock} <= ${threshold})`
      const [row] = await db
        .update(products)
        .set({ lowStockAlerted: isLow })
        .where(and(eq(products.id, id), sql`${products.lowStockAlerted} <> ${isLow}`))
        .returning({
          id: products.id,
          name: products.name,
          stock: products.stock,
          alerted: products.lowStockAlerted,
        })
      return row?.alerted ? { id: row.id, name: row.name, stock: row.stock } : undefined
    },

    /** Active products with stock at or below `threshold`, the lowest first. */
    lowStock(threshold: number): Promise<ProductWithCategory[]> {
      return productsWithCategory(db)
        .where(and(eq(products.isActive, true), lte(products.stock, threshold)))
        .orderBy(asc(products.stock), asc(products.id))
    },

    /** Demo seeding: names already present in a category. */
    async productNamesIn(categoryId: number): Promise<Set<string>> {
      const rows = await db
        .select({ name: products.name })
        .from(products)
        .where(eq(products.categoryId, categoryId))
      return new Set(rows.map((row) => row.name))
    },

    async ensureCategory(values: NewCategory): Promise<number> {
      await db.insert(categories).values(values).onConflictDoNothing()
      const [row] = await db
        .select({ id: categories.id })
        .from(categories)
        .where(eq(categories.name, values.name))
      return (row as { id: number }).id
    },

    async insertProducts(values: NewProduct[]): Promise<void> {
      if (values.length > 0) await db.insert(products).values(values)
    },
  }
}

export function createProductsRepository(db: Database) {
  return repositoryOf(db, productsQueries)
}

export type ProductsRepository = ReturnType<typeof createProductsRepository>
