import { handleJob } from '../../core/jobs.ts'
import { defineModule } from '../../core/module.ts'
import { lowStockDigest } from './products.jobs.ts'
import { createProductsRepository } from './products.repository.ts'
import { registerProductsRoutes } from './products.routes.ts'
import { createProductsService, type ProductsService } from './products.service.ts'

declare module '../../core/auth/access.ts' {
  interface Resources {
    products: true
    categories: true
  }
}

declare module '../../core/module.ts' {
  interface Services {
    productsService: ProductsService
  }
}

/** Categories and products in one module, as in the guide; v1 and v2 routes share the service. */
export const productsModule = defineModule({
  name: 'products',
  description: 'The catalogue: categories and products (v1 lists, v2 pages)',
  resources: ['products', 'categories'],
  services: ({ database, cache, config }, { notificationsService, usersService }) => ({
    productsService: createProductsService({
      productsRepository: createProductsRepository(database.db),
      cache,
      notifications: notificationsService,
      staff: usersService,
      lowStockThreshold: config.LOW_STOCK_THRESHOLD,
    }),
  }),
  routes(app, { productsService }, { config }) {
    registerProductsRoutes(app, {
      productsService,
      prefix: config.API_V1_PREFIX,
      v2Prefix: '/api/v2',
    })
  },
  jobs: ({ productsService }, { config }) => [
    handleJob(
      lowStockDigest,
      async () => {
        await productsService.sendLowStockDigest()
      },
      { schedule: { cron: config.LOW_STOCK_DIGEST_CRON, payload: {} } },
    ),
  ],
})
