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

export const notificationNotFound = defineError(404, 'not_found', (notificationId: number) => ({
  detail: `Notification with ID ${notificationId} not found`,
  notification_id: notificationId,
}))

export const notificationNotFailed = defineError(
  409,
  'notification_not_failed',
  (notificationId: number, status: string) => ({
    detail: `Only a failed notification can be retried; this one is ${status}`,
    notification_id: notificationId,
    notification_status: status,
  }),
)

export const notificationNotRetryable = defineError(
  409,
  'notification_not_retryable',
  (notificationId: number) => ({
    detail:
      'Its message held a one-time code and was deleted when it failed: the user asks for a new code',
    notification_id: notificationId,
  }),
)
