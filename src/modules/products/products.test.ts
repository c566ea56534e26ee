import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, everyAction, type TestUser } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { createApplication } from '../../app.ts'
import { createRedisCache } from '../../core/cache.ts'
import { connectRedis } from '../../core/redis.ts'

let t: TestApp
let editor: TestUser
beforeAll(async () => {
  t = await createTestApp()
  editor = await createUser(t, { permissions: everyAction('products', 'categories') })
})
afterAll(() => t.close())

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
const call = (method: Method, url: string, payload?: object, who: TestUser | undefined = editor) =>
  t.app.inject({ method, url, payload, headers: who?.headers })

let categorySeq = 0
async function newCategory(name = `Category ${++categorySeq}`) {
  const response = await call('POST', '/api/v1/categories/', { name, description: 'Food' })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { id: number; name: string }
}

/** A product with `overrides`, in `categoryId` or else in a new category of its own. */
async function newProduct(overrides: object = {}, categoryId?: number) {
  const response = await call('POST', '/api/v1/products/', {
    name: 'Veggie Burger',
    price: 8.5,
    category_id: categoryId ?? (await newCategory()).id,
    ...overrides,
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json()
}

describe("the guide's example requests", () => {
  it('POST /api/v1/products/ answers 201 with the product', async () => {
    const category = await newCategory()
    const response = await call('POST', '/api/v1/products/', {
      name: 'Test Product',
      price: 99.99,
      category_id: category.id,
    })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({
      name: 'Test Product',
      price: 99.99,
      stock: 0,
      is_active: true,
      category_id: category.id,
      category: { id: category.id, name: category.name },
    })
  })

  it("GET /api/v1/products/999 answers 404 with the guide's detail", async () => {
    const response = await call('GET', '/api/v1/products/999', undefined, undefined)
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({
      detail: 'Product with ID 999 not found',
      code: 'not_found',
      product_id: 999,
    })
  })
})

describe('categories', () => {
  it('are listed and read without a token', async () => {
    const category = await newCategory()
    const list = await call('GET', '/api/v1/categories/', undefined, undefined)
    expect(list.json().map((c: { id: number }) => c.id)).toContain(category.id)
    const one = await call('GET', `/api/v1/categories/${category.id}`, undefined, undefined)
    expect(Object.keys(one.json()).sort()).toEqual([
      'created_at',
      'description',
      'id',
      'is_active',
      'name',
    ])
  })

  it('answer 409 for a duplicate name', async () => {
    const category = await newCategory()
    expect((await call('POST', '/api/v1/categories/', { name: category.name })).statusCode).toBe(
      409,
    )
    const other = await newCategory()
    expect(
      (await call('PUT', `/api/v1/categories/${other.id}`, { name: category.name })).statusCode,
    ).toBe(409)
  })

  it('take their products with them when deleted', async () => {
    const category = await newCategory()
    const product = await newProduct({}, category.id)
    expect((await call('DELETE', `/api/v1/categories/${category.id}`)).statusCode).toBe(204)
    expect((await call('GET', `/api/v1/products/${product.id}`)).statusCode).toBe(404)
  })

  it('need the categories permissions to change', async () => {
    const reader = await createUser(t)
    expect((await call('POST', '/api/v1/categories/', { name: 'Nope' }, reader)).statusCode).toBe(
      403,
    )
  })
})

describe('products', () => {
  it('answer 422 for a category that does not exist', async () => {
    const response = await call('POST', '/api/v1/products/', {
      name: 'Orphan',
      price: 1,
      category_id: 987654,
    })
    expect(response.statusCode).toBe(422)
    expect(response.json().errors).toEqual([
      { field: 'category_id', message: 'no category with ID 987654' },
    ])
    const product = await newProduct()
    expect(
      (await call('PUT', `/api/v1/products/${product.id}`, { category_id: 987654 })).statusCode,
    ).toBe(422)
  })

  it('change only the fields a PUT sends', async () => {
    const product = await newProduct({ description: 'Smoky', stock: 12 })
    const response = await call('PUT', `/api/v1/products/${product.id}`, { price: 9.25 })
    expect(response.json()).toMatchObject({
      price: 9.25,
      description: 'Smoky',
      stock: 12,
      name: 'Veggie Burger',
    })
  })

  it('are deleted', async () => {
    const product = await newProduct()
    expect((await call('DELETE', `/api/v1/products/${product.id}`)).statusCode).toBe(204)
    expect((await call('DELETE', `/api/v1/products/${product.id}`)).statusCode).toBe(404)
  })

  it('are listed with skip, limit and a category filter', async () => {
    const category = await newCategory()
    const made = []
    for (let i = 0; i < 5; i++) made.push(await newProduct({ name: `Item ${i}` }, category.id))
    const page = await call(
      'GET',
      `/api/v1/products/?category_id=${category.id}&skip=1&limit=2`,
      undefined,
      undefined,
    )
    expect(page.json().map((p: { id: number }) => p.id)).toEqual([made[1].id, made[2].id])
    expect(page.json()[0].category.id).toBe(category.id)
    expect((await call('GET', '/api/v1/products/?limit=101')).statusCode).toBe(422)
  })
})

describe('prices', () => {
  it.each([0.01, 0.3, 1, 9.99, 12345.67, 99999999.99])('keeps %s exactly', async (price) => {
    const product = await newProduct({ price })
    expect(product.price).toBe(price)
    const read = await call('GET', `/api/v1/products/${product.id}`)
    expect(read.body).toContain(`"price":${price}`)
  })

  it.each([
    ['more than 2 decimals', 0.1 + 0.2],
    ['a third decimal', 1.005],
    ['zero', 0],
    ['negative', -1],
    ['over numeric(10,2)', 100000000],
  ])('refuses %s with 422', async (_why, price) => {
    const category = await newCategory()
    const response = await call('POST', '/api/v1/products/', {
      name: 'X',
      price,
      category_id: category.id,
    })
    expect(response.statusCode).toBe(422)
  })

  it('holds for every cent amount in a sweep', async () => {
    const category = await newCategory()
    // Property: any whole number of cents survives the round trip (sampled across magnitudes).
    const cents = [1, 7, 10, 99, 101, 999, 1001, 123456, 9999999999]
    for (let i = 0; i < 20; i++) cents.push(Math.floor(Math.random() * 9999999999) + 1)
    for (const amount of cents) {
      const price = amount / 100
      const product = await newProduct({ price }, category.id)
      expect(product.price).toBe(price)
    }
  })
})

describe('stock', () => {
  it.each([-1, 1.5, 2147483648])('refuses %s with 422', async (stock) => {
    const category = await newCategory()
    const response = await call('POST', '/api/v1/products/', {
      name: 'X',
      price: 1,
      stock,
      category_id: category.id,
    })
    expect(response.statusCode).toBe(422)
  })

  it('defaults to 0 and accepts the int range', async () => {
    const category = await newCategory()
    expect((await newProduct({}, category.id)).stock).toBe(0)
    expect((await newProduct({ stock: 2147483647 }, category.id)).stock).toBe(2147483647)
  })
})

describe('GET /api/v2/products/', () => {
  it('gives pages with total and page count, sharing v1 data', async () => {
    const category = await newCategory()
    for (let i = 0; i < 5; i++) await newProduct({ name: `Paged ${i}` }, category.id)
    const response = await call(
      'GET',
      `/api/v2/products/?category_id=${category.id}&page=2&size=2`,
      undefined,
      undefined,
    )
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ total: 5, page: 2, size: 2, pages: 3 })
    expect(response.json().items.map((p: { name: string }) => p.name)).toEqual([
      'Paged 2',
      'Paged 3',
    ])
    const beyond = await call(
      'GET',
      `/api/v2/products/?category_id=${category.id}&page=9&size=2`,
      undefined,
      undefined,
    )
    expect(beyond.json()).toMatchObject({ items: [], total: 5 })
  })

  it('keeps the cached total true through creates, moves, deletes and category deletes', async () => {
    const category = await newCategory()
    const other = await newCategory()
    const total = async (categoryId?: number) =>
      (
        await call(
          'GET',
          `/api/v2/products/?size=1${categoryId ? `&category_id=${categoryId}` : ''}`,
          undefined,
          undefined,
        )
      ).json().total as number
    const everything = await total()
    expect(await total(category.id)).toBe(0)
    const product = await newProduct({}, category.id)
    expect([await total(category.id), await total()]).toEqual([1, everything + 1])
    await call('PUT', `/api/v1/products/${product.id}`, { category_id: other.id })
    expect([await total(category.id), await total(other.id)]).toEqual([0, 1])
    await call('DELETE', `/api/v1/products/${product.id}`)
    expect([await total(other.id), await total()]).toEqual([0, everything])
    await newProduct({}, other.id)
    expect(await total(other.id)).toBe(1)
    await call('DELETE', `/api/v1/categories/${other.id}`)
    expect(await total()).toBe(everything)
  })
})

describe('the cache', () => {
  it('never serves a product as it was before a write', async () => {
    const product = await newProduct()
    await call('GET', `/api/v1/products/${product.id}`)
    await call('PUT', `/api/v1/products/${product.id}`, { name: 'Renamed' })
    expect((await call('GET', `/api/v1/products/${product.id}`)).json().name).toBe('Renamed')
  })

  it('drops embedded categories when a category is renamed', async () => {
    const category = await newCategory()
    const product = await newProduct({}, category.id)
    await call('GET', `/api/v1/products/${product.id}`)
    await call('GET', '/api/v1/categories/')
    await call('PUT', `/api/v1/categories/${category.id}`, { name: `${category.name} (new)` })
    expect((await call('GET', `/api/v1/products/${product.id}`)).json().category.name).toBe(
      `${category.name} (new)`,
    )
    const names = (await call('GET', '/api/v1/categories/'))
      .json()
      .map((c: { name: string }) => c.name)
    expect(names).toContain(`${category.name} (new)`)
  })

  it('never serves a list or a page as it was before a write', async () => {
    const category = await newCategory()
    const list = async () =>
      (await call('GET', `/api/v1/products/?category_id=${category.id}`)).json() as Array<{
        id: number
        price: number
        category: { name: string }
      }>
    const page = async () =>
      (await call('GET', `/api/v2/products/?category_id=${category.id}&size=10`)).json()
    expect(await list()).toEqual([])
    expect((await page()).total).toBe(0)
    const product = await newProduct({}, category.id)
    expect((await list()).map((p) => p.id)).toEqual([product.id])
    expect((await page()).total).toBe(1)
    // Sent as cached JSON text: the same fields, no more, as the schema-serialized answer to
    // the create, both on the first read and from the cache.
    for (let read = 0; read < 2; read++)
      expect((await call('GET', `/api/v1/products/${product.id}`)).json()).toStrictEqual(product)
    const single = (await call('GET', `/api/v1/products/${product.id}`)).json()
    expect((await list())[0]).toStrictEqual(single)
    expect((await page()).items[0]).toStrictEqual(single)
    await call('PUT', `/api/v1/products/${product.id}`, { price: 3.25 })
    expect((await list())[0]?.price).toBe(3.25)
    expect((await page()).items[0].price).toBe(3.25)
    await call('PUT', `/api/v1/categories/${category.id}`, { name: `${category.name} (renamed)` })
    expect((await list())[0]?.category.name).toBe(`${category.name} (renamed)`)
    await call('DELETE', `/api/v1/products/${product.id}`)
    expect(await list()).toEqual([])
    expect((await page()).total).toBe(0)
  })

  it.runIf(process.env.REDIS_URL)('is shared with another process through Redis', async () => {
    const redis = connectRedis(process.env.REDIS_URL as string, 'second-process')
    const cache = createRedisCache(redis, t.deps.logger, `${t.deps.config.REDIS_KEY_PREFIX}cache:`)
    const other = await createApplication({ ...t.deps, redis, cache })
    try {
      const category = await newCategory()
      const product = await newProduct({}, category.id)
      const read = () => other.app.inject({ method: 'GET', url: `/api/v1/products/${product.id}` })
      expect((await read()).json().price).toBe(8.5)
      await call('PUT', `/api/v1/products/${product.id}`, { price: 7.75 })
      expect((await read()).json().price).toBe(7.75)
    } finally {
      await other.app.close()
      await redis.quit()
    }
  })
})

describe('GET /api/v1/products/low-stock and v2 search and sort', () => {
  it('lists low products to holders of products:update only', async () => {
    const category = await newCategory()
    const low = await newProduct({ name: 'Nearly Gone', stock: 1 }, category.id)
    await newProduct({ name: 'Plenty', stock: 500 }, category.id)
    const listed = await call('GET', '/api/v1/products/low-stock')
    expect(listed.statusCode, listed.body).toBe(200)
    expect(listed.json().map((product: { id: number }) => product.id)).toContain(low.id)
    expect(listed.json().every((product: { stock: number }) => product.stock <= 5)).toBe(true)
    const reader = await createUser(t, { permissions: ['products:read'] })
    expect((await call('GET', '/api/v1/products/low-stock', undefined, reader)).statusCode).toBe(
      403,
    )
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/products/low-stock' })).statusCode,
    ).toBe(401)
  })

  it('searches, filters by state and sorts v2 pages', async () => {
    const category = await newCategory()
    await newProduct({ name: 'Zesty Wrap', price: 9 }, category.id)
    await newProduct({ name: 'zesty bowl', price: 7, is_active: false }, category.id)
    const page = await call(
      'GET',
      `/api/v2/products/?category_id=${category.id}&search=ZESTY&sort=-price`,
    )
    expect(page.json()).toMatchObject({
      total: 2,
      items: [{ name: 'Zesty Wrap' }, { name: 'zesty bowl' }],
    })
    const inactive = await call(
      'GET',
      `/api/v2/products/?category_id=${category.id}&is_active=false`,
    )
    expect(inactive.json()).toMatchObject({ total: 1, items: [{ name: 'zesty bowl' }] })
    expect((await call('GET', '/api/v2/products/?sort=colour')).statusCode).toBe(422)
  })
})
