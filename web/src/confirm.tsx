import { Button, Group, Modal, Stack, Text } from '@mantine/core'
import { ErrorNotice } from './ui.tsx'

/** Asks before anything is deleted; says what failed if it did. */
export function ConfirmDelete({
  what,
  opened,
  onCancel,
  onConfirm,
  pending,
  error,
}: {
  what: string | undefined
  opened: boolean
  onCancel(): void
  onConfirm(): void
  pending: boolean
  error: unknown
}) {
  return (
    <Modal opened={opened} onClose={onCancel} title={`Delete ${what ?? ''}?`}>
      <Stack>
        {error ? <ErrorNotice error={error} /> : null}
        <Text>This cannot be undone.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button color="red" onClick={onConfirm} loading={pending}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
