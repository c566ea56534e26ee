import { type Static, Type } from 'typebox'
import { PageQuery } from '../../core/pagination.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 })
const Description = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()])

export const Category = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    is_active: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Category' },
)

export const CategoryCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Description(255)),
    is_active: Type.Optional(Type.Boolean()),
  },
  { title: 'CategoryCreate', additionalProperties: false },
)

export const CategoryUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Description(255)),
    is_active: Type.Optional(Type.Boolean()),
  },
  { title: 'CategoryUpdate', additionalProperties: false },
)

const Price = Type.Number({
  exclusiveMinimum: 0,
  maximum: 99999999.99,
  description: 'At most 2 decimals',
})
const Stock = Type.Integer({ minimum: 0, maximum: 2147483647 })

export const Product = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    price: Type.Number(),
    stock: Type.Integer(),
    category_id: Type.Integer(),
    is_active: Type.Boolean(),
    category: Category,
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Product' },
)

export const ProductCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Description(1000)),
    price: Price,
    stock: Type.Optional(Stock),
    category_id: Id,
    is_active: Type.Optional(Type.Boolean()),
  },
  { title: 'ProductCreate', additionalProperties: false },
)

export const ProductUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Description(1000)),
    price: Type.Optional(Price),
    stock: Type.Optional(Stock),
    category_id: Type.Optional(Id),
    is_active: Type.Optional(Type.Boolean()),
  },
  { title: 'ProductUpdate', additionalProperties: false },
)

/** The guide's v1 list: `skip` and `limit` (≤ 100), a plain array. */
const InCategory = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Only products of this category' }),
)

export const ProductsQuery = Type.Object({
  skip: Type.Integer({
    minimum: 0,
    maximum: 2147483647,
    default: 0,
    description: 'Products to skip',
  }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Products to list' }),
  category_id: InCategory,
})

/** How a v2 page may be ordered: a column, `-` first for descending; ties by id. */
export const PRODUCT_SORTS = [
  'id',
  '-id',
  'name',
  '-name',
  'price',
  '-price',
  'stock',
  '-stock',
  'created_at',
  '-created_at',
] as const

export const ProductSort = Type.Enum(PRODUCT_SORTS, {
  default: 'id',
  description: 'A column to order by, `-` first for descending; ties by id',
})

/** v2: the pagination helper's `page` and `size`, filters and an order. */
export const ProductsPageQuery = Type.Object({
  ...PageQuery.properties,
  category_id: InCategory,
  search: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Only those whose name contains it (any case)',
    }),
  ),
  is_active: Type.Optional(
    Type.Boolean({ description: 'Only active, or only inactive, products' }),
  ),
  sort: ProductSort,
})

export type Category = Static<typeof Category>
export type CategoryCreate = Static<typeof CategoryCreate>
export type CategoryUpdate = Static<typeof CategoryUpdate>
export type Product = Static<typeof Product>
export type ProductCreate = Static<typeof ProductCreate>
export type ProductUpdate = Static<typeof ProductUpdate>
export type ProductsPageQuery = Static<typeof ProductsPageQuery>
