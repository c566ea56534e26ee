// Type-level tests, checked by `npm run check` (tsc -p clients/typescript): each line below an
// expect-error directive must fail to compile, or tsc reports the directive as unused.
import { AuthSession, type Product } from '../src/index.ts'

const { api } = new AuthSession({ baseUrl: 'http://localhost:8000' })

export async function requestsThatDoNotCompile(categoryId: number) {
  await api.POST('/api/v1/products/', {
    // @ts-expect-error a misspelt field (`nme`)
    body: { nme: 'Soup', price: 5, category_id: categoryId },
  })
  await api.POST('/api/v1/products/', {
    // @ts-expect-error a price is a number
    body: { name: 'Soup', price: '5', category_id: categoryId },
  })
  // @ts-expect-error a required field (`category_id`) missing
  await api.POST('/api/v1/products/', { body: { name: 'Soup', price: 5 } })
  // @ts-expect-error a path that does not exist
  await api.GET('/api/v1/prodcuts/')
  // @ts-expect-error a path parameter of the wrong type
  await api.GET('/api/v1/products/{id}', { params: { path: { id: 'one' } } })
}

export async function requestsThatDo(categoryId: number): Promise<Product | undefined> {
  const { data } = await api.POST('/api/v1/products/', {
    body: { name: 'Soup', price: 5, category_id: categoryId },
  })
  // @ts-expect-error the answer is typed: a product has no `nme`
  data?.nme
  return data
}
