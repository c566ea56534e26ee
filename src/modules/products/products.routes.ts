import { Type } from 'typebox'
import { publicRoute, requirePermission } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { Page } from '../../core/pagination.ts'
import { IdParams, problemResponses } from '../../core/schemas.ts'
import {
  Category,
  CategoryCreate,
  CategoryUpdate,
  Product,
  ProductCreate,
  ProductsPageQuery,
  ProductsQuery,
  ProductUpdate,
} from './products.schemas.ts'
import { type ProductsService, productsCache } from './products.service.ts'

const guarded = problemResponses(401, 403)

export function registerProductsRoutes(
  app: App,
  {
    productsService,
    prefix,
    v2Prefix,
  }: { productsService: ProductsService; prefix: string; v2Prefix: string },
) {
  const categories = `${prefix}/categories`
  const products = `${prefix}/products`

  app.get(
    `${categories}/`,
    {
      config: { ...publicRoute, cacheResponse: productsCache.categories },
      schema: {
        operationId: 'listCategories',
        summary: 'List categories',
        description: 'Every category, by id.',
        response: { 200: Type.Array(Category) },
      },
    },
    async () => productsService.listCategories(),
  )

  app.get(
    `${categories}/:id`,
    {
      config: publicRoute,
      schema: {
        operationId: 'getCategory',
        summary: 'Get a category',
        description: 'One category by id.',
        params: IdParams,
        response: { 200: Category, ...problemResponses(404, 422) },
      },
    },
    async (request) => productsService.getCategory(request.params.id),
  )

  app.post(
    `${categories}/`,
    {
      config: requirePermission('categories', 'create'),
      schema: {
        operationId: 'createCategory',
        summary: 'Create a category',
        description: 'Names are unique.',
        body: CategoryCreate,
        response: { 201: Category, ...guarded, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await productsService.createCategory(request.body)),
  )

  app.put(
    `${categories}/:id`,
    {
      config: requirePermission('categories', 'update'),
      schema: {
        operationId: 'updateCategory',
        summary: 'Update a category (only the fields sent change)',
        description: 'Only the fields sent change.',
        params: IdParams,
        body: CategoryUpdate,
        response: { 200: Category, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) => productsService.updateCategory(request.params.id, request.body),
  )

  app.delete(
    `${categories}/:id`,
    {
      config: requirePermission('categories', 'delete'),
      schema: {
        operationId: 'deleteCategory',
        summary: 'Delete a category and its products',
        description: 'Its products are deleted with it.',
        params: IdParams,
        response: { 204: Type.Null(), ...guarded, ...problemResponses(404, 422) },
      },
    },
    async (request, reply) => {
      await productsService.deleteCategory(request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.get(
    `${products}/`,
    {
      config: { ...publicRoute, cacheResponse: productsCache.lists },
      schema: {
        operationId: 'listProducts',
        summary: 'List products (v1: skip/limit, a plain array; see /api/v2/products/ for pages)',
        description: 'Products by id, with their category, optionally of one category.',
        querystring: ProductsQuery,
        response: { 200: Type.Array(Product), ...problemResponses(422) },
      },
    },
    async (request) => {
      const { skip, limit, category_id } = request.query
      return productsService.listProducts(skip, limit, category_id)
    },
  )

  app.get(
    `${products}/:id`,
    {
      config: { ...publicRoute, cacheResponse: productsCache.product },
      schema: {
        operationId: 'getProduct',
        summary: 'Get a product',
        description: 'One product with its category.',
        params: IdParams,
        response: { 200: Product, ...problemResponses(404, 422) },
      },
    },
    async (request) => productsService.getProduct(request.params.id),
  )

  app.post(
    `${products}/`,
    {
      config: requirePermission('products', 'create'),
      schema: {
        operationId: 'createProduct',
        summary: 'Create a product',
        description: 'The category must exist (422 otherwise); prices have at most 2 decimals.',
        body: ProductCreate,
        response: { 201: Product, ...guarded, ...problemResponses(422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await productsService.createProduct(request.body)),
  )

  app.put(
    `${products}/:id`,
    {
      config: requirePermission('products', 'update'),
      schema: {
        operationId: 'updateProduct',
        summary: 'Update a product (partial: only the fields sent change)',
        params: IdParams,
        body: ProductUpdate,
        response: { 200: Product, ...guarded, ...problemResponses(404, 422) },
      },
    },
    async (request) => productsService.updateProduct(request.params.id, request.body),
  )

  app.delete(
    `${products}/:id`,
    {
      config: requirePermission('products', 'delete'),
      schema: {
        operationId: 'deleteProduct',
        summary: 'Delete a product',
        description: 'Deletes the product.',
        params: IdParams,
        response: { 204: Type.Null(), ...guarded, ...problemResponses(404, 422) },
      },
    },
    async (request, reply) => {
      await productsService.deleteProduct(request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.get(
    `${products}/low-stock`,
    {
      config: requirePermission('products', 'update'),
      schema: {
        operationId: 'listLowStockProducts',
        summary: 'Products running low',
        description:
          'Active products whose stock is at or below LOW_STOCK_THRESHOLD, the lowest first: those the holders of products:update are alerted about.',
        response: { 200: Type.Array(Product), ...problemResponses(401, 403) },
      },
    },
    async () => productsService.lowStock(),
  )

  app.get(
    `${v2Prefix}/products/`,
    {
      config: { ...publicRoute, cacheResponse: productsCache.lists },
      schema: {
        operationId: 'listProductPages',
        summary: 'List products as pages (v2)',
        description:
          'Products with their category and the total: by id, or in the order `sort` names; optionally of one category, active or not, or whose name contains `search`.',
        querystring: ProductsPageQuery,
        response: { 200: Page(Product), ...problemResponses(422) },
      },
    },
    async (request) => {
      const { page, size, category_id, search, is_active, sort } = request.query
      return productsService.pageProducts(page, size, {
        categoryId: category_id,
        search,
        isActive: is_active,
        sort,
      })
    },
  )
}
