import { type Role, type User, unwrap } from '@food-fleet/client'
import {
  Badge,
  Button,
  Group,
  PasswordInput,
  Select,
  Stack,
  Switch,
  TextInput,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ConfirmDelete } from '../confirm.tsx'
import { DataTable, FormModal, PagedTable, RowActions, ScreenHeader } from '../forms.tsx'
import { type Access, useApi, useSession } from '../session.tsx'
import { fieldErrorsOf, QueryView } from '../ui.tsx'

const PAGE_SIZE = 25

/** A role may be given only by someone who holds every permission it grants (as the API rules). */
const assignable = (role: Role, access: Access | undefined) =>
  access !== undefined &&
  (access.isSuperuser || role.permissions.every((p) => access.permissions.has(p.name)))

export function UsersPage() {
  const api = useApi()
  const { can, me } = useSession()
  const queryClient = useQueryClient()
  const [page, setPage] = useState(1)
  const [search, setSearch] = useState('')
  const [debounced] = useDebouncedValue(search.trim(), 250)
  const [editing, setEditing] = useState<User | 'new'>()
  const [deleting, setDeleting] = useState<User>()
  const query = { page, size: PAGE_SIZE, ...(debounced ? { search: debounced } : {}) }
  const users = useQuery({
    queryKey: ['users', 'page', query],
    queryFn: async () => unwrap(await api.GET('/api/v1/users/', { params: { query } })),
    placeholderData: keepPreviousData,
  })
  const remove = useMutation({
    mutationFn: async (user: User) =>
      unwrap(await api.DELETE('/api/v1/users/{id}', { params: { path: { id: user.id } } })),
    onSuccess: async () => {
      setDeleting(undefined)
      await queryClient.invalidateQueries({ queryKey: ['users'] })
    },
  })
  return (
    <Stack>
      <ScreenHeader
        title="Users"
        action={can('users:create') && <Button onClick={() => setEditing('new')}>New user</Button>}
      />
      <TextInput
        label="Search"
        placeholder="E-mail, username or name"
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value)
          setPage(1)
        }}
      />
      <QueryView query={users} empty="No users match." isEmpty={(data) => data.total === 0}>
        {(data) => (
          <>
            <PagedTable total={data.total} size={PAGE_SIZE} page={page} onPage={setPage}>
              <DataTable
                rows={data.items}
                rowKey={(user) => user.id}
                minWidth={640}
                columns={[
                  { header: 'E-mail', cell: (user) => user.email },
                  { header: 'Username', cell: (user) => user.username },
                  {
                    header: 'Role',
                    cell: (user) => (user.is_superuser ? 'superuser' : (user.role?.name ?? '—')),
                  },
                  {
                    header: 'State',
                    cell: (user) => (
                      <Badge color={user.is_active ? 'teal.9' : 'gray.7'}>
                        {user.is_active ? 'Active' : 'Inactive'}
                      </Badge>
                    ),
                  },
                ]}
                actions={(user) => (
                  <RowActions
                    name={user.email}
                    onEdit={can('users:update') ? () => setEditing(user) : undefined}
                    onDelete={
                      can('users:delete') && user.id !== me?.id
                        ? () => setDeleting(user)
                        : undefined
                    }
                  />
                )}
              />
            </PagedTable>
          </>
        )}
      </QueryView>
      {editing && (
        <UserForm
          user={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
      <ConfirmDelete
        what={deleting?.email}
        opened={deleting !== undefined}
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        pending={remove.isPending}
        error={remove.error}
      />
    </Stack>
  )
}

function UserForm({ user, onClose }: { user: User | undefined; onClose(): void }) {
  const api = useApi()
  const { access, can } = useSession()
  const queryClient = useQueryClient()
  const roles = useQuery({
    queryKey: ['roles'],
    queryFn: async () => unwrap(await api.GET('/api/v1/roles/')),
    enabled: can('roles:read'),
  })
  const [roleId, setRoleId] = useState<string | null>(user?.role_id ? String(user.role_id) : null)
  const [active, setActive] = useState(user?.is_active ?? true)
  const save = useMutation({
    mutationFn: async (form: FormData) => {
      const common = {
        username: String(form.get('username')),
        first_name: String(form.get('first_name')) || null,
        last_name: String(form.get('last_name')) || null,
        role_id: roleId ? Number(roleId) : null,
        is_active: active,
      }
      return user
        ? unwrap(
            await api.PATCH('/api/v1/users/{id}', {
              params: { path: { id: user.id } },
              body: common,
            }),
          )
        : unwrap(
            await api.POST('/api/v1/users/', {
              body: {
                ...common,
                email: String(form.get('email')),
                password: String(form.get('password')),
              },
            }),
          )
    },
    onSuccess: async () => {
      onClose()
      await queryClient.invalidateQueries({ queryKey: ['users'] })
    },
  })
  const errors = fieldErrorsOf(save.error)
  const roleChoices = (roles.data ?? [])
    .filter((role) => assignable(role, access) || String(role.id) === roleId)
    .map((role) => ({
      value: String(role.id),
      label: role.name,
      disabled: !assignable(role, access),
    }))
  return (
    <FormModal
      title={user ? `Edit ${user.email}` : 'New user'}
      onClose={onClose}
      onSubmit={(form) => save.mutate(form)}
      error={save.error}
      pending={save.isPending}
    >
      {!user && (
        <>
          <TextInput name="email" type="email" label="E-mail" required error={errors.email} />
          <PasswordInput
            name="password"
            label="Password"
            autoComplete="new-password"
            required
            error={errors.password}
          />
        </>
      )}
      <TextInput
        name="username"
        label="Username"
        required
        defaultValue={user?.username}
        error={errors.username}
      />
      <Group grow>
        <TextInput
          name="first_name"
          label="First name"
          defaultValue={user?.first_name ?? ''}
          error={errors.first_name}
        />
        <TextInput
          name="last_name"
          label="Last name"
          defaultValue={user?.last_name ?? ''}
          error={errors.last_name}
        />
      </Group>
      {can('roles:read') && (
        <Select
          label="Role"
          placeholder="No role"
          clearable
          data={roleChoices}
          value={roleId}
          onChange={setRoleId}
          error={errors.role_id}
        />
      )}
      <Switch
        label="Active"
        checked={active}
        onChange={(event) => setActive(event.currentTarget.checked)}
      />
    </FormModal>
  )
}
