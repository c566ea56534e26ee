import { type Permission, type Role, unwrap } from '@food-fleet/client'
import { Badge, Card, Checkbox, Group, ScrollArea, Stack, Table, Text, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useApi, useSession } from '../session.tsx'
import { ErrorNotice, QueryView } from '../ui.tsx'

/** Resources down, actions across: one matrix per role. */
function matrixOf(permissions: Permission[]) {
  const resources = [...new Set(permissions.map((p) => p.resource))].sort()
  const actions = [...new Set(permissions.map((p) => p.action))].sort(
    (a, b) => ACTION_ORDER.indexOf(a) - ACTION_ORDER.indexOf(b) || a.localeCompare(b),
  )
  return { resources, actions }
}
const ACTION_ORDER = ['create', 'read', 'update', 'delete']

export function RolesPage() {
  const api = useApi()
  const roles = useQuery({
    queryKey: ['roles'],
    queryFn: async () => unwrap(await api.GET('/api/v1/roles/')),
  })
  const permissions = useQuery({
    queryKey: ['permissions'],
    queryFn: async () => unwrap(await api.GET('/api/v1/permissions/')),
  })
  return (
    <Stack>
      <Title order={2}>Roles and permissions</Title>
      <QueryView query={roles} empty="No roles.">
        {(rows) => (
          <QueryView query={permissions} empty="No permissions.">
            {(all) => (
              <Stack>
                {rows.map((role) => (
                  <RoleMatrix key={role.id} role={role} permissions={all} />
                ))}
              </Stack>
            )}
          </QueryView>
        )}
      </QueryView>
    </Stack>
  )
}

function RoleMatrix({ role, permissions }: { role: Role; permissions: Permission[] }) {
  const api = useApi()
  const { can } = useSession()
  const queryClient = useQueryClient()
  const { resources, actions } = matrixOf(permissions)
  const held = new Set(role.permissions.map((p) => p.id))
  const toggle = useMutation({
    mutationFn: async ({ permission, grant }: { permission: Permission; grant: boolean }) =>
      grant
        ? unwrap(
            await api.POST('/api/v1/roles/{id}/permissions', {
              params: { path: { id: role.id } },
              body: { permission_ids: [permission.id] },
            }),
          )
        : unwrap(
            await api.DELETE('/api/v1/roles/{id}/permissions/{permission_id}', {
              params: { path: { id: role.id, permission_id: permission.id } },
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['roles'] }),
  })
  // The API refuses to grant or revoke what the caller does not hold; the matrix says so first.
  const editable = (permission: Permission) =>
    !role.is_system && can('roles:update') && can(permission.name)
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          {role.name}
        </Title>
        {role.is_system && <Badge color="gray.7">System role: read-only</Badge>}
      </Group>
      {role.description && (
        <Text size="sm" c="dimmed" mb="xs">
          {role.description}
        </Text>
      )}
      {toggle.isError && <ErrorNotice error={toggle.error} />}
      <ScrollArea type="auto">
        <Table miw={420} aria-label={`Permissions of ${role.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Resource</Table.Th>
              {actions.map((action) => (
                <Table.Th key={action} ta="center">
                  {action}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {resources.map((resource) => (
              <Table.Tr key={resource}>
                <Table.Td>{resource}</Table.Td>
                {actions.map((action) => {
                  const permission = permissions.find(
                    (p) => p.resource === resource && p.action === action,
                  )
                  return (
                    <Table.Td key={action} ta="center">
                      {permission && (
                        <Checkbox
                          aria-label={`${role.name}: ${permission.name}`}
                          checked={held.has(permission.id)}
                          disabled={!editable(permission) || toggle.isPending}
                          onChange={(event) =>
                            toggle.mutate({ permission, grant: event.currentTarget.checked })
                          }
                          styles={{ body: { justifyContent: 'center' } }}
                        />
                      )}
                    </Table.Td>
                  )
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Card>
  )
}
