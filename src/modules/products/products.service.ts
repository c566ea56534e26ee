import type { Cache, JsonText } from '../../core/cache.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import { fromNumeric, hasAtMostDecimals, toNumeric } from '../../core/money.ts'
import { offsetOf, pageJson } from '../../core/pagination.ts'
import {
  categoryNameTaken,
  categoryNotFound,
  invalidPrice,
  productNotFound,
  unknownCategory,
} from './products.errors.ts'
import type { CategoryRow } from './products.models.ts'
import type { NewProduct, ProductsRepository, ProductWithCategory } from './products.repository.ts'
import type {
  Category,
  CategoryCreate,
  CategoryUpdate,
  Product,
  ProductCreate,
  ProductUpdate,
} from './products.schemas.ts'
import { DEMO_CATALOGUE } from './products.seed-demo.ts'

/**
 * What the service hands out is already the wire shape (the schemas' types: snake_case, price
 * as a number, times as ISO strings), so a cached copy is byte-for-byte what the database would
 * have given.
 */
const toCategory = (row: CategoryRow): Category => ({
  id: row.id,
  name: row.name,
  description: row.description,
  is_active: row.isActive,
  created_at: row.createdAt.toISOString(),
})

const toProduct = (row: ProductWithCategory): Product => ({
  id: row.id,
  name: row.name,
  description: row.description,
  price: fromNumeric(row.price),
  stock: row.stock,
  category_id: row.categoryId,
  is_active: row.isActive,
  category: toCategory(row.category),
  created_at: row.createdAt.toISOString(),
})

/** Short: a missed invalidation (a race with a concurrent reader) heals within this time. */
const CACHE_SECONDS = 30
const productKey = (id: number) => `products:item:${id}`
const PRODUCT_KEYS = 'products:item:'
/**
 * List pages and counts, one cache group: any product write makes all of them stale at once.
 * Fields: `page:<offset>:<limit>:<category or all>` and `count:<category or all>`.
 */
const LISTS_GROUP = 'products:lists'
const CATEGORY_LIST_KEY = 'categories:list'

export function createProductsService({
  productsRepository,
  cache,
}: {
  productsRepository: ProductsRepository
  cache: Cache
}) {
  /** Money has cents: a price with more decimals is refused, never rounded. */
  function checkPrice(price: number): void {
    if (!hasAtMostDecimals(price)) throw invalidPrice(price)
  }

  function productColumns(input: ProductUpdate): Partial<NewProduct> {
    if (input.price !== undefined) checkPrice(input.price)
    return {
      name: input.name,
      description: input.description,
      price: input.price === undefined ? undefined : toNumeric(input.price),
      stock: input.stock,
      categoryId: input.category_id,
      isActive: input.is_active,
    }
  }

  async function requireCategory(categoryId: number): Promise<CategoryRow> {
    const category = await productsRepository.findCategory(categoryId)
    if (!category) throw categoryNotFound(categoryId)
    return category
  }

  /** The category must exist: 422, it is a field of the request, not the resource asked for. */
  function translateWriteError(error: unknown, categoryId: number | undefined): unknown {
    if (databaseErrorCode(error) === '23503' && categoryId !== undefined) {
      return unknownCategory(categoryId)
    }
    return error
  }

  /** Categories are embedded in products: any category change drops every cached product. */
  const forgetCategories = () =>
    Promise.all([cache.delete(CATEGORY_LIST_KEY, LISTS_GROUP), cache.deleteByPrefix(PRODUCT_KEYS)])

  /** Lists are read far more often than products change: pages and totals are cached as JSON. */
  async function cachedJson(field: string, load: () => Promise<string>): Promise<JsonText> {
    const cached = await cache.getField(LISTS_GROUP, field)
    if (cached !== undefined) return cached
    const json = await load()
    await cache.setField(LISTS_GROUP, field, json, CACHE_SECONDS)
    return json
  }

  /** A v1 list (`Product[]`) as JSON text, to be sent as it is. */
  const listProductsJson = (offset: number, limit: number, categoryId?: number) =>
    cachedJson(`page:${offset}:${limit}:${categoryId ?? 'all'}`, async () =>
      JSON.stringify(
        (await productsRepository.listProducts(offset, limit, categoryId)).map(toProduct),
      ),
    )

  async function countProducts(categoryId?: number): Promise<number> {
    const total = await cachedJson(`count:${categoryId ?? 'all'}`, async () =>
      String(await productsRepository.countProducts(categoryId)),
    )
    return Number(String(total))
  }

  /** A product (`Product`) as JSON text, to be sent as it is. */
  async function productJson(productId: number): Promise<JsonText> {
    const key = productKey(productId)
    const cached = await cache.getText(key)
    if (cached !== undefined) return cached
    const row = await productsRepository.findProduct(productId)
    if (!row) throw productNotFound(productId)
    const json = JSON.stringify(toProduct(row))
    await cache.setText(key, json, CACHE_SECONDS)
    return json
  }

  const getProduct = async (productId: number): Promise<Product> =>
    JSON.parse(String(await productJson(productId)))

  return {
    async listCategories(): Promise<Category[]> {
      const cached = await cache.get<Category[]>(CATEGORY_LIST_KEY)
      if (cached) return cached
      const list = (await productsRepository.listCategories()).map(toCategory)
      await cache.set(CATEGORY_LIST_KEY, list, CACHE_SECONDS)
      return list
    },

    getCategory: async (categoryId: number) => toCategory(await requireCategory(categoryId)),

    async createCategory(input: CategoryCreate) {
      try {
        const row = await productsRepository.insertCategory({
          name: input.name,
          description: input.description ?? null,
          isActive: input.is_active ?? true,
        })
        await cache.delete(CATEGORY_LIST_KEY)
        return toCategory(row)
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw categoryNameTaken(input.name)
        throw error
      }
    },

    async updateCategory(categoryId: number, input: CategoryUpdate): Promise<Category> {
      const changes = {
        name: input.name,
        description: input.description,
        isActive: input.is_active,
      }
      if (Object.values(changes).every((value) => value === undefined)) {
        return toCategory(await requireCategory(categoryId))
      }
      try {
        const row = await productsRepository.updateCategory(categoryId, changes)
        if (!row) throw categoryNotFound(categoryId)
        await forgetCategories()
        return toCategory(row)
      } catch (error) {
        if (databaseErrorCode(error) === '23505') throw categoryNameTaken(input.name ?? '')
        throw error
      }
    },

    /** Its products go with it (ON DELETE CASCADE, as in the guide). */
    async deleteCategory(categoryId: number): Promise<void> {
      if (!(await productsRepository.deleteCategory(categoryId))) throw categoryNotFound(categoryId)
      await forgetCategories()
    },

    productJson,

    listProductsJson,

    /** A v2 page (`PageOf<Product>`) as JSON text, to be sent as it is. */
    async pageProductsJson(page: number, size: number, categoryId?: number): Promise<string> {
      const [items, total] = await Promise.all([
        listProductsJson(offsetOf(page, size), size, categoryId),
        countProducts(categoryId),
      ])
      return pageJson(items, total, page, size)
    },

    async createProduct(input: ProductCreate): Promise<Product> {
      checkPrice(input.price)
      try {
        const row = await productsRepository.insertProduct({
          name: input.name,
          description: input.description ?? null,
          price: toNumeric(input.price),
          categoryId: input.category_id,
          stock: input.stock ?? 0,
          isActive: input.is_active ?? true,
        })
        await cache.delete(LISTS_GROUP)
        return toProduct(row)
      } catch (error) {
        throw translateWriteError(error, input.category_id)
      }
    },

    /** PUT as in the guide: a partial update, only the fields sent change. */
    async updateProduct(productId: number, input: ProductUpdate): Promise<Product> {
      const columns = productColumns(input)
      if (Object.values(columns).some((value) => value !== undefined)) {
        try {
          const found = await productsRepository.updateProduct(productId, columns)
          if (!found) throw productNotFound(productId)
        } catch (error) {
          throw translateWriteError(error, input.category_id)
        }
        await cache.delete(productKey(productId), LISTS_GROUP)
      }
      return getProduct(productId)
    },

    /** Idempotent: creates the categories and products of the demo catalogue that are missing. */
    async seedDemo(): Promise<{ categories: number; products: number }> {
      let created = 0
      for (const entry of DEMO_CATALOGUE) {
        const categoryId = await productsRepository.ensureCategory({
          name: entry.category,
          description: entry.description,
        })
        const existing = await productsRepository.productNamesIn(categoryId)
        const missing = entry.products.filter(([name]) => !existing.has(name))
        await productsRepository.insertProducts(
          missing.map(([name, price, stock]) => ({
            name,
            price: toNumeric(price),
            stock,
            categoryId,
          })),
        )
        created += missing.length
      }
      await forgetCategories()
      return { categories: DEMO_CATALOGUE.length, products: created }
    },

    async deleteProduct(productId: number): Promise<void> {
      if (!(await productsRepository.deleteProduct(productId))) throw productNotFound(productId)
      await cache.delete(productKey(productId), LISTS_GROUP)
    },
  }
}

export type ProductsService = ReturnType<typeof createProductsService>
