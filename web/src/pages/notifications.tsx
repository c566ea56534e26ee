import { unwrap } from '@food-fleet/client'
import { Badge, Button, Group, Select, Stack, Text, Title } from '@mantine/core'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { DataTable, PagedTable } from '../forms.tsx'
import { useApi, useSession } from '../session.tsx'
import { ErrorNotice, QueryView } from '../ui.tsx'

const PAGE_SIZE = 25
// Dark shades: white text on them keeps a 4.5:1 contrast.
const STATUS_COLORS = { queued: 'blue.9', sent: 'teal.9', failed: 'red.9' } as const

/** The outbox: who was sent what and how it went; never a message's body or code. */
export function NotificationsPage() {
  const api = useApi()
  const { can } = useSession()
  const queryClient = useQueryClient()
  const [page, setPage] = useState(1)
  const [status, setStatus] = useState<'queued' | 'sent' | 'failed' | null>(null)
  const [channel, setChannel] = useState<'email' | 'sms' | null>(null)
  const query = {
    page,
    size: PAGE_SIZE,
    ...(status ? { status } : {}),
    ...(channel ? { channel } : {}),
  }
  const outbox = useQuery({
    queryKey: ['notifications', 'page', query],
    queryFn: async () => unwrap(await api.GET('/api/v1/notifications/', { params: { query } })),
    placeholderData: keepPreviousData,
  })
  const retry = useMutation({
    mutationFn: async (id: number) =>
      unwrap(await api.POST('/api/v1/notifications/{id}/retry', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  })
  return (
    <Stack>
      <Title order={2}>Notifications</Title>
      <Group>
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={['queued', 'sent', 'failed']}
          value={status}
          onChange={(value) => {
            setStatus(value as typeof status)
            setPage(1)
          }}
        />
        <Select
          label="Channel"
          placeholder="Any channel"
          clearable
          data={[
            { value: 'email', label: 'E-mail' },
            { value: 'sms', label: 'SMS' },
          ]}
          value={channel}
          onChange={(value) => {
            setChannel(value as typeof channel)
            setPage(1)
          }}
        />
      </Group>
      {retry.isError && <ErrorNotice error={retry.error} />}
      <QueryView query={outbox} empty="No messages." isEmpty={(data) => data.total === 0}>
        {(data) => (
          <>
            <PagedTable total={data.total} size={PAGE_SIZE} page={page} onPage={setPage}>
              <DataTable
                rows={data.items}
                rowKey={(message) => message.id}
                minWidth={720}
                columns={[
                  {
                    header: 'When',
                    cell: (message) => new Date(message.created_at).toLocaleString(),
                  },
                  {
                    header: 'Channel',
                    cell: (message) => (message.channel === 'sms' ? 'SMS' : 'E-mail'),
                  },
                  { header: 'To', cell: (message) => message.recipient },
                  {
                    header: 'Subject or template',
                    cell: (message) => message.subject ?? message.template,
                  },
                  {
                    header: 'Status',
                    cell: (message) => (
                      <Badge color={STATUS_COLORS[message.status]}>{message.status}</Badge>
                    ),
                  },
                  { header: 'Tries', cell: (message) => message.attempts },
                  {
                    header: 'Last error',
                    cell: (message) => (
                      <Text size="xs" lineClamp={2}>
                        {message.last_error}
                      </Text>
                    ),
                  },
                ]}
                actions={(message) =>
                  message.status === 'failed' &&
                  can('notifications:update') && (
                    <Button
                      size="xs"
                      variant="light"
                      loading={retry.isPending && retry.variables === message.id}
                      onClick={() => retry.mutate(message.id)}
                      aria-label={`Retry message ${message.id}`}
                    >
                      Retry
                    </Button>
                  )
                }
              />
            </PagedTable>
          </>
        )}
      </QueryView>
    </Stack>
  )
}
