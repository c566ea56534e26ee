import {
  Button,
  Group,
  Modal,
  ScrollArea,
  Stack,
  Table,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import type { FormEvent, ReactNode } from 'react'
import { ErrorNotice, fieldErrorsOf, PageControls } from './ui.tsx'

/** A screen's title, with its main action (e.g. "New product") when the person may take it. */
export function ScreenHeader({ title, action }: { title: string; action?: ReactNode }) {
  return (
    <Group justify="space-between">
      <Title order={2}>{title}</Title>
      {action}
    </Group>
  )
}

/**
 * A create or edit form in a dialog: the API's field errors go on the fields (`errors`), any
 * other refusal above them; Cancel and Save below.
 */
export function FormModal({
  title,
  onClose,
  onSubmit,
  error,
  pending,
  size,
  children,
}: {
  title: string
  onClose(): void
  onSubmit(form: FormData): void
  error: unknown
  pending: boolean
  size?: string
  children: ReactNode
}) {
  const fieldless =
    error !== null && error !== undefined && Object.keys(fieldErrorsOf(error)).length === 0
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    onSubmit(new FormData(event.currentTarget))
  }
  return (
    <Modal opened onClose={onClose} title={title} size={size}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {fieldless && <ErrorNotice error={error} />}
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}

/** A row's Edit and Delete buttons, each shown only when its handler is given. */
export function RowActions({
  name,
  onEdit,
  onDelete,
}: {
  /** What the row is, for the buttons' accessible names ("Edit Bao Buns"). */
  name: string
  onEdit?: () => void
  onDelete?: () => void
}) {
  return (
    <Group gap="xs" justify="flex-end" wrap="nowrap">
      {onEdit && (
        <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${name}`}>
          Edit
        </Button>
      )}
      {onDelete && (
        <Button
          size="xs"
          color="red"
          variant="light"
          onClick={onDelete}
          aria-label={`Delete ${name}`}
        >
          Delete
        </Button>
      )}
    </Group>
  )
}

/** A server-side page of rows: the table scrolls sideways on a phone, the page controls below. */
export function PagedTable({
  total,
  size,
  page,
  onPage,
  footer,
  children,
}: {
  total: number
  size: number
  page: number
  onPage(page: number): void
  footer?: ReactNode
  children: ReactNode
}) {
  return (
    <>
      <ScrollArea type="auto">{children}</ScrollArea>
      <Group justify="space-between">
        {footer ?? <span />}
        <PageControls total={total} size={size} page={page} onChange={onPage} />
      </Group>
    </>
  )
}

/** One column of a `DataTable`: its header and how a row shows in it. */
export interface Column<Row> {
  /** Its heading, unique in the table */
  header: string
  cell(row: Row): ReactNode
  align?: 'right'
}

/** Rows as a table, one column per `columns` entry, a last column for `actions` when given. */
export function DataTable<Row>({
  rows,
  rowKey,
  columns,
  actions,
  label,
  minWidth,
}: {
  rows: Row[]
  rowKey(row: Row): string | number
  columns: Column<Row>[]
  actions?: (row: Row) => ReactNode
  label?: string
  minWidth?: number
}) {
  return (
    <Table striped miw={minWidth} aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((column) => (
            <Table.Th key={column.header} ta={column.align}>
              {column.header}
            </Table.Th>
          ))}
          {actions && (
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          )}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={rowKey(row)}>
            {columns.map((column) => (
              <Table.Td key={column.header} ta={column.align}>
                {column.cell(row)}
              </Table.Td>
            ))}
            {actions && <Table.Td>{actions(row)}</Table.Td>}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}
