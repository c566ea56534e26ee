import { unwrap } from '@food-fleet/client'
import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { NotificationsChart } from '../chart.tsx'
import { DataTable } from '../forms.tsx'
import { useApi, useSession } from '../session.tsx'
import { QueryView } from '../ui.tsx'

function Stat({ label, value }: { label: string; value: number | string | undefined }) {
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value ?? '…'}
      </Text>
    </Card>
  )
}

function useProductTotal(isActive: boolean) {
  const api = useApi()
  return useQuery({
    queryKey: ['products', 'total', isActive],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v2/products/', {
          params: { query: { page: 1, size: 1, sort: 'id', is_active: isActive } },
        }),
      ).total,
  })
}

export function DashboardPage() {
  const api = useApi()
  const { can } = useSession()
  const active = useProductTotal(true)
  const inactive = useProductTotal(false)
  const users = useQuery({
    queryKey: ['users', 'total'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/users/', { params: { query: { page: 1, size: 1 } } })).total,
    enabled: can('users:read'),
  })
  const lowStock = useQuery({
    queryKey: ['products', 'low-stock'],
    queryFn: async () => unwrap(await api.GET('/api/v1/products/low-stock')),
    enabled: can('products:update'),
  })
  const summary = useQuery({
    queryKey: ['notifications', 'summary'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/notifications/summary', { params: { query: { days: 7 } } })),
    enabled: can('notifications:read'),
  })
  const last24h = summary.data?.last_24h
  return (
    <Stack>
      <Title order={2}>Dashboard</Title>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        <Stat label="Active products" value={active.data} />
        <Stat label="Inactive products" value={inactive.data} />
        {can('products:update') && <Stat label="Low on stock" value={lowStock.data?.length} />}
        {can('users:read') && <Stat label="Users" value={users.data} />}
      </SimpleGrid>
      {can('notifications:read') && (
        <Card withBorder>
          <Stack>
            <Group justify="space-between">
              <Title order={3} size="h4">
                Notifications
              </Title>
              <Text size="sm">
                Last 24 h: {last24h?.sent ?? '…'} sent, {last24h?.queued ?? '…'} queued,{' '}
                {last24h?.failed ?? '…'} failed
              </Text>
            </Group>
            <QueryView query={summary} empty="No messages yet." isEmpty={() => false}>
              {(data) => <NotificationsChart days={data.days} />}
            </QueryView>
          </Stack>
        </Card>
      )}
      {can('products:update') && (
        <Card withBorder>
          <Title order={3} size="h4" mb="sm">
            Low stock
          </Title>
          <QueryView query={lowStock} empty="Every product is well stocked.">
            {(products) => (
              <DataTable
                rows={products}
                rowKey={(product) => product.id}
                columns={[
                  { header: 'Product', cell: (product) => product.name },
                  { header: 'Category', cell: (product) => product.category.name },
                  { header: 'Stock', align: 'right', cell: (product) => product.stock },
                ]}
              />
            )}
          </QueryView>
        </Card>
      )}
    </Stack>
  )
}
