import { type SmsTemplate, unwrap } from '@food-fleet/client'
import { Badge, Button, Card, Group, Stack, Text, Textarea, TextInput } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { DataTable, FormModal, RowActions, ScreenHeader } from '../forms.tsx'
import { useApi, useSession } from '../session.tsx'
import { renderPreview, smsLength } from '../sms.ts'
import { fieldErrorsOf, QueryView } from '../ui.tsx'

export function SmsTemplatesPage() {
  const api = useApi()
  const { can } = useSession()
  const templates = useQuery({
    queryKey: ['sms-templates'],
    queryFn: async () => unwrap(await api.GET('/api/v1/sms-templates/')),
  })
  const [editing, setEditing] = useState<SmsTemplate | 'new'>()
  return (
    <Stack>
      <ScreenHeader
        title="SMS templates"
        action={
          can('notifications:create') && (
            <Button onClick={() => setEditing('new')}>New template</Button>
          )
        }
      />
      <QueryView query={templates} empty="No SMS templates.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(template) => template.id}
            columns={[
              { header: 'Name', cell: (template) => template.name },
              { header: 'Text', cell: (template) => template.content },
            ]}
            actions={(template) => (
              <RowActions
                name={template.name}
                onEdit={can('notifications:update') ? () => setEditing(template) : undefined}
              />
            )}
          />
        )}
      </QueryView>
      {editing && (
        <TemplateForm
          template={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
    </Stack>
  )
}

function TemplateForm({
  template,
  onClose,
}: {
  template: SmsTemplate | undefined
  onClose(): void
}) {
  const api = useApi()
  const queryClient = useQueryClient()
  const [content, setContent] = useState(template?.content ?? '')
  const save = useMutation({
    mutationFn: async ({
      name,
      ...body
    }: {
      name: string
      content: string
      description: string | null
    }) =>
      template
        ? unwrap(
            await api.PUT('/api/v1/sms-templates/{id}', {
              params: { path: { id: template.id } },
              // The app's own templates keep their names: only a changed name is sent.
              body: name === template.name ? body : { name, ...body },
            }),
          )
        : unwrap(await api.POST('/api/v1/sms-templates/', { body: { name, ...body } })),
    onSuccess: async () => {
      onClose()
      await queryClient.invalidateQueries({ queryKey: ['sms-templates'] })
    },
  })
  const errors = fieldErrorsOf(save.error)
  const preview = renderPreview(content)
  const length = smsLength(preview)
  return (
    <FormModal
      title={template ? `Edit ${template.name}` : 'New template'}
      onClose={onClose}
      onSubmit={(form) =>
        save.mutate({
          name: String(form.get('name')),
          content,
          description: String(form.get('description')) || null,
        })
      }
      error={save.error}
      pending={save.isPending}
      size="lg"
    >
      <TextInput
        name="name"
        label="Name"
        required
        defaultValue={template?.name}
        error={errors.name}
      />
      <TextInput
        name="description"
        label="Description"
        defaultValue={template?.description ?? ''}
        error={errors.description}
      />
      <Textarea
        label="Text"
        description="Variables as {{ code }}"
        required
        autosize
        minRows={3}
        value={content}
        onChange={(event) => setContent(event.currentTarget.value)}
        error={errors.content}
      />
      <Card withBorder aria-live="polite">
        <Text size="sm" fw={600}>
          Preview
        </Text>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="sms-preview">
          {preview}
        </Text>
        <Group gap="xs" mt="xs">
          <Badge>{length.encoding}</Badge>
          <Text size="xs" data-testid="sms-length">
            {length.units} characters, {length.segments}{' '}
            {length.segments === 1 ? 'segment' : 'segments'}
          </Text>
        </Group>
      </Card>
    </FormModal>
  )
}
