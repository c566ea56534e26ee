import { type TSchema, Type } from 'typebox'

/** The guide's pagination helper: `?page=1&size=50`, size 1–100. */
export const PageQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'Page, from 1' }),
  size: Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Items per page' }),
})

/** One page of `item`s; named `Page<item's title>` (`PageProduct`) in the OpenAPI document. */
export function Page<Item extends TSchema>(item: Item) {
  return Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ minimum: 0, description: 'Items on every page' }),
      page: Type.Integer({ minimum: 1, description: 'This page, from 1' }),
      size: Type.Integer({ minimum: 1, description: 'Items per page' }),
      pages: Type.Integer({ minimum: 0, description: 'How many pages there are' }),
    },
    { title: `Page${(item as { title?: string }).title ?? ''}` },
  )
}

export interface PageOf<T> {
  items: T[]
  total: number
  page: number
  size: number
  pages: number
}

export function pageOf<T>(items: T[], total: number, page: number, size: number): PageOf<T> {
  return { items, total, page, size, pages: Math.ceil(total / size) }
}

export const offsetOf = (page: number, size: number) => (page - 1) * size
