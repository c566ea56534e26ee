import type { Cache } from '../../core/cache.ts'
import type { Database } from '../../core/db/database.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import { fromNumeric, hasAtMostDecimals, toNumeric } from '../../core/money.ts'
import { offsetOf, type PageOf, pageOf } from '../../core/pagination.ts'
import type { CachedResponse } from '../../core/response-cache.ts'
import type { NotificationsService } from '../notifications/notifications.service.ts'
import type { UsersService } from '../users/users.service.ts'
import {
  categoryNameTaken,
  categoryNotFound,
  invalidPrice,
  productNotFound,
  unknownCategory,
} from './products.errors.ts'
import type { CategoryRow, ProductRow } from './products.models.ts'
import type {
  NewProduct,
  ProductFilters,
  ProductsRepository,
  ProductWithCategory,
} from './products.repository.ts'
import type {
  Category,
  CategoryCreate,
  CategoryUpdate,
  Product,
  ProductCreate,
  ProductUpdate,
} from './products.schemas.ts'
import demoCatalogue from './products.seed-demo.json' with { type: 'json' }

/** `npm run cli -- seed --demo`: categories, each with its products as [name, price, stock]. */
const DEMO_CATALOGUE = demoCatalogue as {
  category: string
  description: string
  products: [name: string, price: number, stock: number][]
}[]

/** Rows as the wire shape (the schemas' types: snake_case, price as a number, ISO times). */
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

/**
 * The public reads' answers are cached (`cacheResponse` on their routes) in these groups, which
 * the writes below drop when they change what a group answers. Short: a missed invalidation (a
 * race with a concurrent reader) heals within this time.
 */
const CACHE_SECONDS = 30
const PRODUCT_GROUPS = 'products:item:'
const LISTS_GROUP = 'products:lists'
const CATEGORIES_GROUP = 'categories:list'
const productGroup = (id: number) => `${PRODUCT_GROUPS}${id}`

export const productsCache = {
  /** A product by id. */
  product: {
    group: (params) => productGroup(Number(params.id)),
    seconds: CACHE_SECONDS,
  },
  /** Every list and page of products: any product write makes all of them stale at once. */
  lists: { group: LISTS_GROUP, seconds: CACHE_SECONDS },
  categories: { group: CATEGORIES_GROUP, seconds: CACHE_SECONDS },
} satisfies Record<string, CachedResponse>

/** The guide's custom e-mail: `admin_name` and the low products' names and stock. */
const LOW_STOCK_TEMPLATE = 'products/templates/low_stock_alert.html'

type LowProduct = Pick<ProductRow, 'name' | 'stock'>

export function createProductsService({
  productsRepository,
  cache,
  notifications,
  staff,
  lowStockThreshold,
}: {
  productsRepository: ProductsRepository
  cache: Cache
  notifications: Pick<NotificationsService, 'email'>
  staff: Pick<UsersService, 'holdersOf'>
  /** Stock at or below this is low (LOW_STOCK_THRESHOLD). */
  lowStockThreshold: number
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
    Promise.all([cache.delete(CATEGORIES_GROUP, LISTS_GROUP), cache.deleteByPrefix(PRODUCT_GROUPS)])

  /** Who may restock: everyone who holds products:update. */
  const restockers = () => staff.holdersOf('products:update')

  /** E-mails the low products to the restockers, through the outbox of `tx`. */
  async function tellLowStock(
    tx: Database | undefined,
    recipients: Awaited<ReturnType<typeof restockers>>,
    items: LowProduct[],
    subject: string,
  ) {
    for (const user of recipients) {
      await notifications.email(tx, {
        to: user.email,
        subject,
        template: LOW_STOCK_TEMPLATE,
        context: {
          admin_name: user.firstName ?? user.username,
          products: items.map(({ name, stock }) => ({ name, stock })),
        },
      })
    }
  }

  /**
   * After a write: when the product has become low (or stopped being low), its flag changes and
   * the alert is recorded in the same transaction. A write that leaves it as it was costs nothing.
   * The recipients are read before the transaction: the embedded database runs one query at a
   * time, so a read outside an open transaction would wait for it forever.
   */
  async function noticeStock(row: ProductRow): Promise<void> {
    const isLow = row.isActive && row.stock <= lowStockThreshold
    if (isLow === row.lowStockAlerted) return
    const recipients = isLow ? await restockers() : []
    await productsRepository.transaction(async (repository, tx) => {
      const low = await repository.markLowStock(row.id, lowStockThreshold)
      if (low) await tellLowStock(tx, recipients, [low], `Low stock: ${low.name}`)
    })
  }

  async function getProduct(productId: number): Promise<Product> {
    const row = await productsRepository.findProduct(productId)
    if (!row) throw productNotFound(productId)
    return toProduct(row)
  }

  const listProducts = async (offset: number, limit: number, categoryId?: number) =>
    (await productsRepository.listProducts(offset, limit, categoryId)).map(toProduct)

  return {
    listCategories: async (): Promise<Category[]> =>
      (await productsRepository.listCategories()).map(toCategory),

    getCategory: async (categoryId: number) => toCategory(await requireCategory(categoryId)),

    async createCategory(input: CategoryCreate) {
      try {
        const row = await productsRepository.insertCategory({
          name: input.name,
          description: input.description ?? null,
          isActive: input.is_active ?? true,
        })
        await cache.delete(CATEGORIES_GROUP)
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

    getProduct,

    listProducts,

    async pageProducts(
      page: number,
      size: number,
      filters: ProductFilters = {},
    ): Promise<PageOf<Product>> {
      const { rows, total } = await productsRepository.pageProducts(
        offsetOf(page, size),
        size,
        filters,
      )
      return pageOf(rows.map(toProduct), total, page, size)
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
        await noticeStock(row)
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
        await cache.delete(productGroup(productId), LISTS_GROUP)
      }
      const row = await productsRepository.findProduct(productId)
      if (!row) throw productNotFound(productId)
      await noticeStock(row)
      return toProduct(row)
    },

    /** Active products at or below the low-stock threshold, the lowest first. */
    lowStock: async (): Promise<Product[]> =>
      (await productsRepository.lowStock(lowStockThreshold)).map(toProduct),

    /** The daily digest (LOW_STOCK_DIGEST_CRON): every low product, to every holder of products:update. */
    async sendLowStockDigest(): Promise<number> {
      const low = await productsRepository.lowStock(lowStockThreshold)
      if (low.length > 0) {
        await tellLowStock(undefined, await restockers(), low, `Low stock: ${low.length} products`)
      }
      return low.length
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
      await cache.delete(productGroup(productId), LISTS_GROUP)
    },
  }
}

export type ProductsService = ReturnType<typeof createProductsService>
