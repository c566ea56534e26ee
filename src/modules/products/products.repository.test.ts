import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/app.ts'
import type { DatabaseHandle } from '../../core/db/database.ts'
import {
  createProductsRepository,
  type ProductFilters,
  type ProductsRepository,
} from './products.repository.ts'

// The repository alone, on a migrated database of its own: the SQL, not the rules.
let database: DatabaseHandle
let repository: ProductsRepository
beforeAll(async () => {
  database = await createTestDatabase()
  repository = createProductsRepository(database.db)
})
afterAll(() => database.close())

const product = (categoryId: number, name: string, price = '2.50') => ({
  name,
  description: null,
  price,
  stock: 3,
  categoryId,
  isActive: true,
})

describe('products repository', () => {
  it('inserts a product and answers it with its category, in one statement', async () => {
    const category = await repository.insertCategory({ name: 'Soups' })
    const inserted = await repository.insertProduct(product(category.id, 'Tomato soup', '4.20'))
    expect(inserted).toMatchObject({
      name: 'Tomato soup',
      price: '4.20',
      categoryId: category.id,
      category: { id: category.id, name: 'Soups' },
    })
    expect(await repository.findProduct(inserted.id)).toEqual(inserted)
  })

  it('lists by id with offset and limit, optionally of one category, and counts alike', async () => {
    const mains = await repository.insertCategory({ name: 'Mains' })
    const sides = await repository.insertCategory({ name: 'Sides' })
    const ids = []
    for (const name of ['Stew', 'Pie', 'Curry']) {
      ids.push((await repository.insertProduct(product(mains.id, name))).id)
    }
    await repository.insertProduct(product(sides.id, 'Fries'))
    const page = await repository.listProducts(1, 2, mains.id)
    expect(page.map((row) => row.id)).toEqual(ids.slice(1, 3))
    const paged = await repository.pageProducts(2, 5, { categoryId: mains.id })
    expect(paged.rows.map((row) => row.id)).toEqual(ids.slice(2))
    expect(paged.total).toBe(3)
    expect((await repository.pageProducts(0, 5, { categoryId: sides.id })).total).toBe(1)
  })

  it('searches names in any case, filters by state and orders by any listed column', async () => {
    const category = await repository.insertCategory({ name: 'Searchable' })
    const names = ['Mango Lassi', 'Mango_Sorbet', 'Lemon Tart', 'mango chutney']
    for (const [index, name] of names.entries()) {
      await repository.insertProduct({
        ...product(category.id, name),
        stock: index,
        isActive: index !== 3,
      })
    }
    const page = (filters: ProductFilters) =>
      repository.pageProducts(0, 10, { categoryId: category.id, ...filters })
    const found = await page({ search: 'MANGO', sort: '-stock' })
    expect([found.total, found.rows.map((row) => row.name)]).toEqual([
      3,
      ['mango chutney', 'Mango_Sorbet', 'Mango Lassi'],
    ])
    // `_` and `%` are literal, not wildcards.
    expect((await page({ search: 'o_S' })).rows.map((row) => row.name)).toEqual(['Mango_Sorbet'])
    expect((await page({ search: '%' })).total).toBe(0)
    expect((await page({ isActive: false })).rows.map((row) => row.name)).toEqual(['mango chutney'])
    // Names with the same first letters order by the database's collation: only L before M here.
    expect((await page({ sort: 'name' })).rows[0]?.name).toBe('Lemon Tart')
    expect((await page({ sort: '-name' })).rows.at(-1)?.name).toBe('Lemon Tart')
  })

  it('refuses a product of a category that does not exist (foreign key)', async () => {
    await expect(repository.insertProduct(product(2_000_000, 'Orphan'))).rejects.toMatchObject({
      cause: expect.objectContaining({ code: '23503' }),
    })
  })

  it('says whether an update or a delete found its row', async () => {
    const category = await repository.insertCategory({ name: 'Drinks' })
    const { id } = await repository.insertProduct(product(category.id, 'Tea'))
    expect(await repository.updateProduct(id, { stock: 9 })).toBe(true)
    expect((await repository.findProduct(id))?.stock).toBe(9)
    expect(await repository.updateProduct(2_000_000, { stock: 9 })).toBe(false)
    expect(await repository.deleteProduct(id)).toBe(true)
    expect(await repository.deleteProduct(id)).toBe(false)
  })

  it('deletes a category with its products', async () => {
    const category = await repository.insertCategory({ name: 'Desserts' })
    const { id } = await repository.insertProduct(product(category.id, 'Flan'))
    expect(await repository.deleteCategory(category.id)).toBe(true)
    expect(await repository.findProduct(id)).toBeUndefined()
  })

  it('ensures a category once', async () => {
    const first = await repository.ensureCategory({ name: 'Breakfast' })
    expect(await repository.ensureCategory({ name: 'Breakfast' })).toBe(first)
    expect(await repository.ensureCategory({ name: 'Brunch' })).not.toBe(first)
  })
})
