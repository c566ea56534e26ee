import { ApiError } from '@food-fleet/client'
import { Alert, Center, Loader, Pagination, Text } from '@mantine/core'
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'

/** What went wrong, in words for the person in front of the screen. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail
  if (typeof error === 'string') return error
  return 'The server could not be reached. Check your connection and try again.'
}

/** A 422's errors by field name, for the inputs they name. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {}
  const errors: Record<string, string> = {}
  for (const { field, message } of error.errors) errors[field] = message
  return errors
}

export function ErrorNotice({ error }: { error: unknown }) {
  return (
    <Alert color="red" title="Something went wrong" role="alert">
      {messageOf(error)}
    </Alert>
  )
}

/**
 * A query's loading, error and empty states, then its data: every screen shows all four the same
 * way.
 */
export function QueryView<Data>({
  query,
  empty,
  isEmpty = (data) => Array.isArray(data) && data.length === 0,
  children,
}: {
  query: UseQueryResult<Data>
  empty: string
  isEmpty?: (data: Data) => boolean
  children: (data: Data) => ReactNode
}) {
  if (query.isPending) {
    return (
      <Center p="xl">
        <Loader aria-label="Loading" />
      </Center>
    )
  }
  if (query.isError) return <ErrorNotice error={query.error} />
  if (isEmpty(query.data)) {
    return (
      <Text c="dimmed" p="md">
        {empty}
      </Text>
    )
  }
  return <>{children(query.data)}</>
}

const CONTROL_LABELS = {
  first: 'First page',
  previous: 'Previous page',
  next: 'Next page',
  last: 'Last page',
} as const

/** Pages of a server-side list, every control named for screen readers. */
export function PageControls({
  total,
  size,
  page,
  onChange,
}: {
  total: number
  size: number
  page: number
  onChange(page: number): void
}) {
  return (
    <Pagination
      total={Math.max(1, Math.ceil(total / size))}
      value={page}
      onChange={onChange}
      aria-label="Pages"
      getControlProps={(control) => ({ 'aria-label': CONTROL_LABELS[control] })}
      getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
    />
  )
}
