import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/app.ts'
import { createMemoryCache } from '../../core/cache.ts'
import type { DatabaseHandle } from '../../core/db/database.ts'
import { createProductsRepository } from './products.repository.ts'
import { createProductsService, type ProductsService } from './products.service.ts'

// The service's rules and its cache on a real database, without HTTP.
let database: DatabaseHandle
let service: ProductsService
beforeAll(async () => {
  database = await createTestDatabase()
  service = createProductsService({
    productsRepository: createProductsRepository(database.db),
    cache: createMemoryCache(),
  })
})
afterAll(() => database.close())

const listed = async (categoryId?: number) =>
  JSON.parse(String(await service.listProductsJson(0, 100, categoryId))) as { name: string }[]

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

  it('serves a cached list and product until a write makes them stale', async () => {
    const category = await service.createCategory({ name: 'Bakery' })
    const bread = await service.createProduct({ name: 'Bread', price: 2, category_id: category.id })
    expect((await listed(category.id)).map((item) => item.name)).toEqual(['Bread'])
    await service.createProduct({ name: 'Bun', price: 1, category_id: category.id })
    expect((await listed(category.id)).map((item) => item.name)).toEqual(['Bread', 'Bun'])

    expect(JSON.parse(String(await service.productJson(bread.id))).price).toBe(2)
    await service.updateProduct(bread.id, { price: 2.5 })
    expect(JSON.parse(String(await service.productJson(bread.id))).price).toBe(2.5)
  })

  it('drops cached products when their category changes, since they embed it', async () => {
    const category = await service.createCategory({ name: 'Pasta' })
    const dish = await service.createProduct({
      name: 'Lasagne',
      price: 9,
      category_id: category.id,
    })
    expect(JSON.parse(String(await service.productJson(dish.id))).category.name).toBe('Pasta')
    await service.updateCategory(category.id, { name: 'Pasta & rice' })
    expect(JSON.parse(String(await service.productJson(dish.id))).category.name).toBe(
      'Pasta & rice',
    )
    await service.deleteCategory(category.id)
    await expect(service.productJson(dish.id)).rejects.toMatchObject({ status: 404 })
  })

  it('seeds the demo catalogue once', async () => {
    const first = await service.seedDemo()
    expect(first.products).toBeGreaterThan(0)
    expect((await service.seedDemo()).products).toBe(0)
  })
})
