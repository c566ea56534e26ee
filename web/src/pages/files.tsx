import { ApiError, type StoredFile, unwrap } from '@food-fleet/client'
import { Button, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type DragEvent, useRef, useState } from 'react'
import { ConfirmDelete } from '../confirm.tsx'
import { DataTable, PagedTable, RowActions } from '../forms.tsx'
import { useApi, useSession } from '../session.tsx'
import { ErrorNotice, QueryView } from '../ui.tsx'
import { uploadFile } from '../upload.ts'

const PAGE_SIZE = 25
const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1048576
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`

export function FilesPage() {
  const api = useApi()
  const { session, accessToken } = useSession()
  const queryClient = useQueryClient()
  const input = useRef<HTMLInputElement>(null)
  const [page, setPage] = useState(1)
  const [progress, setProgress] = useState<number>()
  const [dragging, setDragging] = useState(false)
  const [deleting, setDeleting] = useState<StoredFile>()
  const files = useQuery({
    queryKey: ['files', page],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/files/', { params: { query: { page, size: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  })
  const upload = useMutation({
    mutationFn: async (file: File) => {
      setProgress(0)
      const url = `${window.location.origin}/api/v1/files/`
      let answer = await uploadFile(url, file, accessToken(), setProgress)
      if (answer.status === 401 && (await session.refresh())) {
        answer = await uploadFile(url, file, accessToken(), setProgress)
      }
      if (answer.status !== 201) {
        throw ApiError.fromResponse(new Response(null, { status: answer.status }), answer.body)
      }
      return answer.body as StoredFile
    },
    onSettled: () => setProgress(undefined),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['files'] }),
  })
  const remove = useMutation({
    mutationFn: async (file: StoredFile) =>
      unwrap(await api.DELETE('/api/v1/files/{id}', { params: { path: { id: file.id } } })),
    onSuccess: async () => {
      setDeleting(undefined)
      await queryClient.invalidateQueries({ queryKey: ['files'] })
    },
  })
  async function download(file: StoredFile) {
    const blob = unwrap(
      await api.GET('/api/v1/files/{id}', {
        params: { path: { id: file.id } },
        parseAs: 'blob',
      }),
    ) as unknown as Blob
    const link = document.createElement('a')
    link.href = URL.createObjectURL(blob)
    link.download = file.filename
    link.click()
    URL.revokeObjectURL(link.href)
  }
  function dropped(event: DragEvent) {
    event.preventDefault()
    setDragging(false)
    const file = event.dataTransfer.files[0]
    if (file) upload.mutate(file)
  }
  return (
    <Stack>
      <Title order={2}>Files</Title>
      <Paper
        withBorder
        p="lg"
        onDragOver={(event) => {
          event.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={dropped}
        bg={dragging ? 'var(--mantine-color-teal-light)' : undefined}
      >
        <Stack align="center" gap="xs">
          <Text>Drop a file here, or</Text>
          <Button onClick={() => input.current?.click()} loading={upload.isPending}>
            Choose a file
          </Button>
          <input
            ref={input}
            type="file"
            aria-label="File to upload"
            hidden
            onChange={(event) => {
              const file = event.currentTarget.files?.[0]
              if (file) upload.mutate(file)
              event.currentTarget.value = ''
            }}
          />
          {progress !== undefined && (
            <Progress value={progress * 100} w="100%" aria-label="Upload progress" />
          )}
        </Stack>
      </Paper>
      {upload.isError && <ErrorNotice error={upload.error} />}
      <QueryView query={files} empty="No files yet." isEmpty={(data) => data.total === 0}>
        {(data) => (
          <>
            <PagedTable total={data.total} size={PAGE_SIZE} page={page} onPage={setPage}>
              <DataTable
                rows={data.items}
                rowKey={(file) => file.id}
                minWidth={560}
                columns={[
                  { header: 'Name', cell: (file) => file.filename },
                  { header: 'Type', cell: (file) => file.content_type },
                  { header: 'Size', align: 'right', cell: (file) => size(file.size) },
                  {
                    header: 'Uploaded',
                    cell: (file) => new Date(file.created_at).toLocaleString(),
                  },
                ]}
                actions={(file) => (
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => void download(file)}
                      aria-label={`Download ${file.filename}`}
                    >
                      Download
                    </Button>
                    <RowActions name={file.filename} onDelete={() => setDeleting(file)} />
                  </Group>
                )}
              />
            </PagedTable>
          </>
        )}
      </QueryView>
      <ConfirmDelete
        what={deleting?.filename}
        opened={deleting !== undefined}
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        pending={remove.isPending}
        error={remove.error}
      />
    </Stack>
  )
}
