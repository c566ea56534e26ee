import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/app.ts'
import { createMemoryCache } from '../../core/cache.ts'
import type { DatabaseHandle } from '../../core/db/database.ts'
import type { UsersService } from '../users/users.service.ts'
import { createProductsRepository } from './products.repository.ts'
import { createProductsService, type ProductsService, productsCache } from './products.service.ts'

// The service's rules, and which cached answers its writes drop, on a real database, without HTTP.
let database: DatabaseHandle
let service: ProductsService
const cache = createMemoryCache()
const LOW_STOCK_THRESHOLD = 5
/** What the service handed to the outbox; the outbox itself is tested in notifications. */
const emailed: { to: string; subject: string; context: Record<string, unknown> }[] = []
const restockers = [
  { email: 'chef@example.com', firstName: 'Ana', username: 'ana' },
  { email: 'owner@example.com', firstName: null, username: 'owner' },
]
beforeAll(async () => {
  database = await createTestDatabase()
  service = createProductsService({
    productsRepository: createProductsRepository(database.db),
    cache,
    notifications: {
      email: async (_tx, email) => emailed.push(email),
    },
    staff: {
      holdersOf: async (permission) =>
        permission === 'products:update'
          ? (restockers as Awaited<ReturnType<UsersService['holdersOf']>>)
          : [],
    },
    lowStockThreshold: LOW_STOCK_THRESHOLD,
  })
})
afterAll(() => database.close())

const LISTS = productsCache.lists.group
const CATEGORIES = productsCache.categories.group
const productGroup = (id: number) => productsCache.product.group({ id })

/** Stores an answer in each group, as the routes' response cache does. */
const cacheAnswers = (...groups: string[]) =>
  Promise.all(groups.map((group) => cache.setField(group, '/url', '"answer"', 30)))
/** The groups among `groups` whose answers are still cached. */
const stillCached = async (...groups: string[]) => {
  const kept = []
  for (const group of groups) if (await cache.getField(group, '/url')) kept.push(group)
  return kept
}

describe('products service', () => {
  it('refuses a price with more than 2 decimals, and a category that does not exist, as 422', async () => {
    const category = await service.createCategory({ name: 'Grill' })
    await expect(
      service.createProduct({ name: 'Steak', price: 12.345, category_id: category.id }),
    ).rejects.toMatchObject({ status: 422, code: 'validation_failed' })
    await expect(
      service.createProduct({ name: 'Steak', price: 12.5, category_id: 2_000_000 }),
    ).rejects.toMatchObject({
      status: 422,
      extra: { errors: [expect.objectContaining({ field: 'category_id' })] },
    })
  })

  it('refuses a second category of the same name as 409', async () => {
    await service.createCategory({ name: 'Salads' })
    await expect(service.createCategory({ name: 'Salads' })).rejects.toMatchObject({
      status: 409,
    })
  })

  it('drops the cached lists when a product is created, and its own answer when it changes', async () => {
    const category = await service.createCategory({ name: 'Bakery' })
    const bread = await service.createProduct({ name: 'Bread', price: 2, category_id: category.id })
    const bun = await service.createProduct({ name: 'Bun', price: 1, category_id: category.id })
    await cacheAnswers(LISTS, CATEGORIES, productGroup(bread.id), productGroup(bun.id))

    await service.createProduct({ name: 'Roll', price: 1, category_id: category.id })
    expect(await stillCached(LISTS, CATEGORIES, productGroup(bread.id))).toEqual([
      CATEGORIES,
      productGroup(bread.id),
    ])

    await cacheAnswers(LISTS)
    expect((await service.updateProduct(bread.id, { price: 2.5 })).price).toBe(2.5)
    expect(await stillCached(LISTS, productGroup(bread.id), productGroup(bun.id))).toEqual([
      productGroup(bun.id),
    ])

    await cacheAnswers(LISTS, productGroup(bread.id))
    await service.deleteProduct(bun.id)
    expect(await stillCached(LISTS, productGroup(bread.id), productGroup(bun.id))).toEqual([
      productGroup(bread.id),
    ])
  })

  it('drops every cached product and list when a category changes, since products embed it', async () => {
    const category = await service.createCategory({ name: 'Pasta' })
    const dish = await service.createProduct({
      name: 'Lasagne',
      price: 9,
      category_id: category.id,
    })
    await cacheAnswers(LISTS, CATEGORIES, productGroup(dish.id))
    await service.updateCategory(category.id, { name: 'Pasta & rice' })
    expect(await stillCached(LISTS, CATEGORIES, productGroup(dish.id))).toEqual([])
    expect((await service.getProduct(dish.id)).category.name).toBe('Pasta & rice')

    await cacheAnswers(LISTS, CATEGORIES, productGroup(dish.id))
    await service.deleteCategory(category.id)
    expect(await stillCached(LISTS, CATEGORIES, productGroup(dish.id))).toEqual([])
    await expect(service.getProduct(dish.id)).rejects.toMatchObject({ status: 404 })
  })

  it('lists in id order and pages with the total', async () => {
    const category = await service.createCategory({ name: 'Soups' })
    for (const name of ['Miso', 'Borscht', 'Pho']) {
      await service.createProduct({ name, price: 5, category_id: category.id })
    }
    const listed = await service.listProducts(1, 10, category.id)
    expect(listed.map((item) => item.name)).toEqual(['Borscht', 'Pho'])
    expect(await service.pageProducts(2, 2, { categoryId: category.id })).toMatchObject({
      items: [{ name: 'Pho', category: { name: 'Soups' } }],
      total: 3,
      page: 2,
      size: 2,
      pages: 2,
    })
  })

  it('seeds the demo catalogue once', async () => {
    const first = await service.seedDemo()
    expect(first.products).toBeGreaterThan(0)
    expect((await service.seedDemo()).products).toBe(0)
  })
})

describe('low-stock alerts', () => {
  const alertsAbout = (name: string) =>
    emailed.filter((email) => email.subject === `Low stock: ${name}`)
  /** A product of its own category, so that each test's alerts are its own. */
  const stocked = async (name: string, stock: number, changes: { is_active?: boolean } = {}) => {
    const category = await service.createCategory({ name: `Category of ${name}` })
    return service.createProduct({ name, price: 2, stock, category_id: category.id, ...changes })
  }

  it('e-mails every holder of products:update once when a product falls to the threshold, by name', async () => {
    const cola = await stocked('Cola', 20)
    expect(alertsAbout('Cola')).toEqual([])
    await service.updateProduct(cola.id, { stock: 6 })
    expect(alertsAbout('Cola')).toEqual([])
    await service.updateProduct(cola.id, { stock: LOW_STOCK_THRESHOLD })
    expect(alertsAbout('Cola')).toEqual([
      expect.objectContaining({
        to: 'chef@example.com',
        context: { admin_name: 'Ana', products: [{ name: 'Cola', stock: 5 }] },
      }),
      expect.objectContaining({
        to: 'owner@example.com',
        context: expect.objectContaining({ admin_name: 'owner' }),
      }),
    ])
    // Still low: not told again, whatever else changes.
    await service.updateProduct(cola.id, { stock: 1 })
    await service.updateProduct(cola.id, { name: 'Cola' })
    expect(alertsAbout('Cola')).toHaveLength(2)
    // Restocked, then low again: a new crossing.
    await service.updateProduct(cola.id, { stock: 40 })
    await service.updateProduct(cola.id, { stock: 0 })
    expect(alertsAbout('Cola')).toHaveLength(4)
  })

  it('tells a crossing once when concurrent writes take a product low', async () => {
    const tea = await stocked('Iced Tea', 50)
    await Promise.all([1, 2, 3, 4].map((stock) => service.updateProduct(tea.id, { stock })))
    expect(alertsAbout('Iced Tea')).toHaveLength(restockers.length)
  })

  it('alerts for a product created low, and not for an inactive one', async () => {
    await stocked('Last Churros', 2)
    await stocked('Retired Pie', 0, { is_active: false })
    expect(alertsAbout('Last Churros')).toHaveLength(restockers.length)
    expect(alertsAbout('Retired Pie')).toEqual([])
  })

  it('lists every active low product, lowest first, in the digest and lowStock()', async () => {
    const low = await service.lowStock()
    expect(low.map((product) => product.stock)).toEqual(
      [...low.map((p) => p.stock)].sort((a, b) => a - b),
    )
    expect(low.every((product) => product.stock <= LOW_STOCK_THRESHOLD && product.is_active)).toBe(
      true,
    )
    expect(low.map((product) => product.name)).toEqual(
      expect.arrayContaining(['Cola', 'Iced Tea', 'Last Churros']),
    )
    emailed.length = 0
    expect(await service.sendLowStockDigest()).toBe(low.length)
    expect(emailed.map((email) => email.to)).toEqual(restockers.map((user) => user.email))
    expect(emailed[0]?.subject).toBe(`Low stock: ${low.length} products`)
    expect(emailed[0]?.context.products).toEqual(low.map(({ name, stock }) => ({ name, stock })))
  })
})
