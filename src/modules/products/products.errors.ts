import { defineError } from '../../core/errors.ts'

export const productNotFound = defineError(404, 'not_found', (productId: number) => ({
  detail: `Product with ID ${productId} not found`,
  product_id: productId,
}))

export const categoryNotFound = defineError(404, 'not_found', (categoryId: number) => ({
  detail: `Category with ID ${categoryId} not found`,
  category_id: categoryId,
}))

export const categoryNameTaken = defineError(409, 'conflict', (name: string) => ({
  detail: `A category named "${name}" already exists`,
  name,
}))

export const unknownCategory = defineError(422, 'validation_failed', (categoryId: number) => ({
  detail: `Category with ID ${categoryId} does not exist`,
  errors: [{ field: 'category_id', message: `no category with ID ${categoryId}` }],
}))

export const invalidPrice = defineError(422, 'validation_failed', (price: number) => ({
  detail: `price must have at most 2 decimals (got ${price})`,
  errors: [{ field: 'price', message: 'must have at most 2 decimals' }],
}))
