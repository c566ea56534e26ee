import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/app.ts'
import { createMemoryCache } from '../../core/cache.ts'
import type { DatabaseHandle } from '../../core/db/database.ts'
import { createProductsRepository } from './products.repository.ts'
import { createProductsService, type ProductsService, productsCache } from './products.service.ts'

// The service's rules, and which cached answers its writes drop, on a real database, without HTTP.
let database: DatabaseHandle
let service: ProductsService
const cache = createMemoryCache()
beforeAll(async () => {
  database = await createTestDatabase()
  service = createProductsService({
    productsRepository: createProductsRepository(database.db),
    cache,
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
    expect(await service.pageProducts(2, 2, category.id)).toMatchObject({
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
