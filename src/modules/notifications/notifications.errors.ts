import { defineError } from '../../core/errors.ts'

export const smsTemplateNotFound = defineError(404, 'not_found', (templateId: number) => ({
  detail: `SMS template with ID ${templateId} not found`,
  sms_template_id: templateId,
}))

export const smsTemplateNameTaken = defineError(409, 'conflict', (name: string) => ({
  detail: `An SMS template named "${name}" already exists`,
  name,
}))

export const smsTemplateRequired = defineError(409, 'conflict', (name: string) => ({
  detail: `The SMS template "${name}" is used by the app and cannot be deleted or renamed`,
  name,
}))

export const invalidSmsTemplate = defineError(422, 'validation_failed', (reason: string) => ({
  detail: `content is not a valid template: ${reason}`,
  errors: [{ field: 'content', message: reason }],
}))
