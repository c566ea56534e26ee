import { type Category, unwrap } from '@food-fleet/client'
import { Badge, Button, Stack, Switch, TextInput } from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { DataTable, FormModal, RowActions, ScreenHeader } from '../forms.tsx'
import { useApi, useSession } from '../session.tsx'
import { fieldErrorsOf, QueryView } from '../ui.tsx'
import { useCategories } from './catalogue.tsx'

export function CategoriesPage() {
  const { can } = useSession()
  const categories = useCategories()
  const [editing, setEditing] = useState<Category | 'new'>()
  return (
    <Stack>
      <ScreenHeader
        title="Categories"
        action={
          can('categories:create') && (
            <Button onClick={() => setEditing('new')}>New category</Button>
          )
        }
      />
      <QueryView query={categories} empty="No categories yet.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(category) => category.id}
            columns={[
              { header: 'Name', cell: (category) => category.name },
              { header: 'Description', cell: (category) => category.description },
              {
                header: 'State',
                cell: (category) => (
                  <Badge color={category.is_active ? 'teal.9' : 'gray.7'}>
                    {category.is_active ? 'Active' : 'Inactive'}
                  </Badge>
                ),
              },
            ]}
            actions={(category) => (
              <RowActions
                name={category.name}
                onEdit={can('categories:update') ? () => setEditing(category) : undefined}
              />
            )}
          />
        )}
      </QueryView>
      {editing && (
        <CategoryForm
          category={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
    </Stack>
  )
}

function CategoryForm({ category, onClose }: { category: Category | undefined; onClose(): void }) {
  const api = useApi()
  const queryClient = useQueryClient()
  const [active, setActive] = useState(category?.is_active ?? true)
  const save = useMutation({
    mutationFn: async (body: { name: string; description: string | null; is_active: boolean }) =>
      category
        ? unwrap(
            await api.PUT('/api/v1/categories/{id}', {
              params: { path: { id: category.id } },
              body,
            }),
          )
        : unwrap(await api.POST('/api/v1/categories/', { body })),
    onSuccess: async () => {
      onClose()
      await queryClient.invalidateQueries({ queryKey: ['categories'] })
      await queryClient.invalidateQueries({ queryKey: ['products'] })
    },
  })
  const errors = fieldErrorsOf(save.error)
  return (
    <FormModal
      title={category ? `Edit ${category.name}` : 'New category'}
      onClose={onClose}
      onSubmit={(form) =>
        save.mutate({
          name: String(form.get('name')),
          description: String(form.get('description')) || null,
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
        maxLength={100}
        defaultValue={category?.name}
        error={errors.name}
      />
      <TextInput
        name="description"
        label="Description"
        maxLength={255}
        defaultValue={category?.description ?? ''}
        error={errors.description}
      />
      <Switch
        label="Active"
        checked={active}
        onChange={(event) => setActive(event.currentTarget.checked)}
      />
    </FormModal>
  )
}
