import { type Product, unwrap } from '@food-fleet/client'
import {
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ConfirmDelete } from '../confirm.tsx'
import { DataTable, FormModal, PagedTable, RowActions, ScreenHeader } from '../forms.tsx'
import { useApi, useSession } from '../session.tsx'
import { fieldErrorsOf, QueryView } from '../ui.tsx'

const PAGE_SIZE = 20
const SORTS = [
  { value: 'id', label: 'Oldest first' },
  { value: '-created_at', label: 'Newest first' },
  { value: 'name', label: 'Name A–Z' },
  { value: '-name', label: 'Name Z–A' },
  { value: 'price', label: 'Price, lowest first' },
  { value: '-price', label: 'Price, highest first' },
  { value: 'stock', label: 'Stock, lowest first' },
  { value: '-stock', label: 'Stock, highest first' },
] as const
type Sort = (typeof SORTS)[number]['value']

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' })

export function useCategories() {
  const api = useApi()
  return useQuery({
    queryKey: ['categories'],
    queryFn: async () => unwrap(await api.GET('/api/v1/categories/')),
  })
}

export function CataloguePage() {
  const api = useApi()
  const { can } = useSession()
  const queryClient = useQueryClient()
  const [page, setPage] = useState(1)
  const [search, setSearch] = useState('')
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250)
  const [categoryId, setCategoryId] = useState<string | null>(null)
  const [sort, setSort] = useState<Sort>('id')
  const [editing, setEditing] = useState<Product | 'new'>()
  const [deleting, setDeleting] = useState<Product>()
  const categories = useCategories()
  const query = {
    page,
    size: PAGE_SIZE,
    sort,
    ...(debouncedSearch ? { search: debouncedSearch } : {}),
    ...(categoryId ? { category_id: Number(categoryId) } : {}),
  }
  const products = useQuery({
    queryKey: ['products', 'page', query],
    queryFn: async () => unwrap(await api.GET('/api/v2/products/', { params: { query } })),
    placeholderData: keepPreviousData,
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['products'] })
  const remove = useMutation({
    mutationFn: async (product: Product) =>
      unwrap(await api.DELETE('/api/v1/products/{id}', { params: { path: { id: product.id } } })),
    onSuccess: async () => {
      setDeleting(undefined)
      await refresh()
    },
  })

  return (
    <Stack>
      <ScreenHeader
        title="Products"
        action={
          can('products:create') && <Button onClick={() => setEditing('new')}>New product</Button>
        }
      />
      <Group grow preventGrowOverflow={false} wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Name contains…"
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value)
            setPage(1)
          }}
        />
        <Select
          label="Category"
          placeholder="All categories"
          clearable
          data={(categories.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
          value={categoryId}
          onChange={(value) => {
            setCategoryId(value)
            setPage(1)
          }}
        />
        <Select
          label="Order"
          data={SORTS.map((s) => ({ ...s }))}
          value={sort}
          allowDeselect={false}
          onChange={(value) => value && setSort(value as Sort)}
        />
      </Group>
      <QueryView query={products} empty="No products match." isEmpty={(data) => data.total === 0}>
        {(data) => (
          <>
            <PagedTable
              total={data.total}
              size={PAGE_SIZE}
              page={page}
              onPage={setPage}
              footer={
                <Text size="sm" c="dimmed">
                  {data.total} products
                </Text>
              }
            >
              <DataTable
                rows={data.items}
                rowKey={(product) => product.id}
                minWidth={640}
                columns={[
                  { header: 'Name', cell: (product) => product.name },
                  { header: 'Category', cell: (product) => product.category.name },
                  {
                    header: 'Price',
                    align: 'right',
                    cell: (product) => money.format(product.price),
                  },
                  {
                    header: 'Stock',
                    cell: (product) => (
                      <StockCell product={product} editable={can('products:update')} />
                    ),
                  },
                  { header: 'Active', cell: (product) => (product.is_active ? 'Yes' : 'No') },
                ]}
                actions={(product) => (
                  <RowActions
                    name={product.name}
                    onEdit={can('products:update') ? () => setEditing(product) : undefined}
                    onDelete={can('products:delete') ? () => setDeleting(product) : undefined}
                  />
                )}
              />
            </PagedTable>
          </>
        )}
      </QueryView>
      {editing && (
        <ProductForm
          product={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={async () => {
            setEditing(undefined)
            await refresh()
          }}
        />
      )}
      <ConfirmDelete
        what={deleting?.name}
        opened={deleting !== undefined}
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        pending={remove.isPending}
        error={remove.error}
      />
    </Stack>
  )
}

/** Stock changed where it is shown: saved on Enter or when the field is left. */
function StockCell({ product, editable }: { product: Product; editable: boolean }) {
  const api = useApi()
  const queryClient = useQueryClient()
  const [value, setValue] = useState(String(product.stock))
  const save = useMutation({
    mutationFn: async (stock: number) =>
      unwrap(
        await api.PUT('/api/v1/products/{id}', {
          params: { path: { id: product.id } },
          body: { stock },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['products'] }),
  })
  if (!editable) return <>{product.stock}</>
  const commit = () => {
    const stock = Number(value)
    if (value !== '' && Number.isInteger(stock) && stock !== product.stock) save.mutate(stock)
  }
  // A plain input rather than the library's number input, which is heavy to render per row.
  return (
    <TextInput
      aria-label={`Stock of ${product.name}`}
      size="xs"
      w={110}
      type="number"
      inputMode="numeric"
      min={0}
      step={1}
      value={value}
      onChange={(event) => setValue(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
      error={save.isError ? (fieldErrorsOf(save.error).stock ?? 'Not saved') : undefined}
    />
  )
}

function ProductForm({
  product,
  onClose,
  onSaved,
}: {
  product: Product | undefined
  onClose(): void
  onSaved(): Promise<void>
}) {
  const api = useApi()
  const categories = useCategories()
  const [categoryId, setCategoryId] = useState<string | null>(
    product ? String(product.category_id) : null,
  )
  const [active, setActive] = useState(product?.is_active ?? true)
  const save = useMutation({
    mutationFn: async (body: {
      name: string
      description: string | null
      price: number
      stock: number
      category_id: number
      is_active: boolean
    }) =>
      product
        ? unwrap(
            await api.PUT('/api/v1/products/{id}', { params: { path: { id: product.id } }, body }),
          )
        : unwrap(await api.POST('/api/v1/products/', { body })),
    onSuccess: onSaved,
  })
  const errors = fieldErrorsOf(save.error)
  return (
    <FormModal
      title={product ? `Edit ${product.name}` : 'New product'}
      onClose={onClose}
      onSubmit={(form) =>
        save.mutate({
          name: String(form.get('name')),
          description: String(form.get('description')) || null,
          price: Number(form.get('price')),
          stock: Number(form.get('stock')),
          category_id: Number(categoryId),
          is_active: active,
        })
      }
      error={save.error}
      pending={save.isPending}
    >
      <TextInput
        name="name"
        label="Name"
        required
        maxLength={200}
        defaultValue={product?.name}
        error={errors.name}
      />
      <Textarea
        name="description"
        label="Description"
        maxLength={1000}
        defaultValue={product?.description ?? ''}
        error={errors.description}
      />
      <Select
        label="Category"
        required
        data={(categories.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
        value={categoryId}
        onChange={setCategoryId}
        error={errors.category_id}
      />
      <Group grow>
        <NumberInput
          name="price"
          label="Price"
          required
          min={0.01}
          decimalScale={2}
          defaultValue={product?.price}
          error={errors.price}
        />
        <NumberInput
          name="stock"
          label="Stock"
          min={0}
          allowDecimal={false}
          defaultValue={product?.stock ?? 0}
          error={errors.stock}
        />
      </Group>
      <Switch
        label="Active"
        checked={active}
        onChange={(event) => setActive(event.currentTarget.checked)}
      />
    </FormModal>
  )
}
