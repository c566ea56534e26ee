// @vitest-environment jsdom
import { ApiError } from '@food-fleet/client'
import { MantineProvider, TextInput } from '@mantine/core'
import type { UseQueryResult } from '@tanstack/react-query'
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ReactNode } from 'react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { DataTable, FormModal, RowActions } from './forms.tsx'
import { fieldErrorsOf, QueryView } from './ui.tsx'

beforeAll(() => {
  // jsdom has no layout: what Mantine asks of the browser about media queries and sizes.
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      addEventListener() {},
      removeEventListener() {},
    }) as unknown as MediaQueryList
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
})
afterEach(cleanup)

const show = (ui: ReactNode) => render(<MantineProvider>{ui}</MantineProvider>)
const problem = (status: number, code: string, detail: string, errors?: object[]) =>
  new ApiError(status, { type: 'about:blank', title: code, status, detail, code, errors } as never)
const query = <Data,>(state: Partial<UseQueryResult<Data>>) => state as UseQueryResult<Data>

describe('QueryView', () => {
  const view = (state: Partial<UseQueryResult<string[]>>) =>
    show(
      <QueryView query={query(state)} empty="Nothing here.">
        {(rows) => <p>{rows.join(', ')}</p>}
      </QueryView>,
    )

  it('shows loading, then the error, the empty state or the data', () => {
    view({ isPending: true })
    expect(screen.getByLabelText('Loading')).toBeTruthy()
    cleanup()
    view({
      isPending: false,
      isError: true,
      error: problem(403, 'permission_not_held', 'Permission products:update required'),
    })
    expect(screen.getByRole('alert').textContent).toContain('Permission products:update required')
    cleanup()
    view({ isPending: false, isError: false, data: [] })
    expect(screen.getByText('Nothing here.')).toBeTruthy()
    cleanup()
    view({ isPending: false, isError: false, data: ['Fries', 'Cola'] })
    expect(screen.getByText('Fries, Cola')).toBeTruthy()
  })

  it('says the server could not be reached for an error that is not the API’s', () => {
    view({ isPending: false, isError: true, error: new TypeError('Failed to fetch') })
    expect(screen.getByRole('alert').textContent).toContain('could not be reached')
  })
})

describe('DataTable and RowActions', () => {
  const rows = [
    { id: 1, name: 'Fries', stock: 3 },
    { id: 2, name: 'Cola', stock: 40 },
  ]

  it('shows one row per item and only the actions it is given', async () => {
    const edit = vi.fn()
    show(
      <DataTable
        rows={rows}
        rowKey={(row) => row.id}
        label="Products"
        columns={[
          { header: 'Name', cell: (row) => row.name },
          { header: 'Stock', align: 'right', cell: (row) => row.stock },
        ]}
        actions={(row) => <RowActions name={row.name} onEdit={() => edit(row.id)} />}
      />,
    )
    const table = screen.getByRole('table', { name: 'Products' })
    expect(within(table).getAllByRole('row')).toHaveLength(3)
    expect(within(table).getByRole('columnheader', { name: 'Actions' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull()
    await userEvent.click(screen.getByRole('button', { name: 'Edit Cola' }))
    expect(edit).toHaveBeenCalledWith(2)
  })
})

describe('FormModal', () => {
  const form = (error: unknown, onSubmit = vi.fn()) =>
    show(
      <FormModal
        title="New product"
        onClose={() => {}}
        onSubmit={onSubmit}
        error={error}
        pending={false}
      >
        <TextInput name="name" label="Name" error={fieldErrorsOf(error).name} />
      </FormModal>,
    )

  it('puts the API’s field errors on their fields, with no notice above', () => {
    form(
      problem(422, 'validation_failed', 'Invalid input', [
        { field: 'name', message: 'must NOT have more than 200 characters' },
      ]),
    )
    expect(screen.getByText('must NOT have more than 200 characters')).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('shows any other refusal above the fields', () => {
    form(problem(409, 'category_name_taken', 'A category named Sides already exists'))
    expect(screen.getByRole('alert').textContent).toContain('A category named Sides already exists')
  })

  it('hands the filled form to onSubmit', async () => {
    const submitted = vi.fn()
    form(undefined, submitted)
    await userEvent.type(screen.getByLabelText('Name'), 'Bao Buns')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    const [filled] = submitted.mock.calls[0] as [FormData]
    expect(filled.get('name')).toBe('Bao Buns')
  })
})
