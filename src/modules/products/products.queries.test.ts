import { describe, expect, it } from 'vitest'
import { createTestApp, recordingLogger } from '../../../test/helpers/app.ts'

describe('query count', () => {
  it('lists 100 products in a constant number of queries, then from the cache', async () => {
    const { lines, logger } = recordingLogger('info')
    const counted = await createTestApp({ env: { DB_ECHO: 'true' }, logger })
    try {
      const { productsService } = counted.services
      const categoryIds = []
      for (let i = 0; i < 10; i++)
        categoryIds.push((await productsService.createCategory({ name: `c${i}` })).id)
      for (let i = 0; i < 100; i++) {
        await productsService.createProduct({
          name: `p${i}`,
          price: 1.5,
          category_id: categoryIds[i % 10] as number,
        })
      }
      const count = async (url: string) => {
        lines.length = 0
        const response = await counted.app.inject({ method: 'GET', url })
        expect(response.statusCode).toBe(200)
        return {
          queries: lines.filter((line) => line.msg === 'sql').length,
          items: response.json(),
        }
      }
      const ten = await count('/api/v1/products/?limit=10')
      const hundred = await count('/api/v1/products/?limit=100')
      expect(hundred.items).toHaveLength(100)
      expect(hundred.queries).toBe(1)
      expect(ten.queries).toBe(hundred.queries)
      // Then from the cache, until a product changes.
      expect((await count('/api/v1/products/?limit=100')).queries).toBe(0)
      // A v2 page is the page and its total, then from the cache too.
      const page = await count('/api/v2/products/?size=100')
      expect(page.items.items).toHaveLength(100)
      expect(page.queries).toBe(2)
      expect((await count('/api/v2/products/?size=100')).queries).toBe(0)
      expect((await count('/api/v2/products/?page=3&size=10')).queries).toBe(2)
      await productsService.createProduct({
        name: 'p100',
        price: 1.5,
        category_id: categoryIds[0] as number,
      })
      const fresh = await count('/api/v2/products/?size=100&page=2')
      expect([fresh.queries, fresh.items.total, fresh.items.items]).toEqual([
        2,
        101,
        [expect.objectContaining({ name: 'p100' })],
      ])
    } finally {
      await counted.close()
    }
  })
})
