import { Type } from 'typebox'
import { requirePermission } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { Page } from '../../core/pagination.ts'
import { IdParams, problemResponses } from '../../core/schemas.ts'
import {
  Notification,
  NotificationSummary,
  NotificationSummaryQuery,
  NotificationsQuery,
  SmsTemplate,
  SmsTemplateCreate,
  SmsTemplateUpdate,
} from './notifications.schemas.ts'
import type { NotificationsService } from './notifications.service.ts'

const guarded = problemResponses(401, 403)

export function registerNotificationsRoutes(
  app: App,
  { notificationsService, prefix }: { notificationsService: NotificationsService; prefix: string },
) {
  const templates = `${prefix}/sms-templates`

  app.get(
    `${prefix}/notifications/`,
    {
      config: requirePermission('notifications', 'read'),
      schema: {
        operationId: 'listNotifications',
        summary: 'The outbox: every email and SMS with its delivery status (no bodies, no codes)',
        description:
          'Newest first, filtered by channel and status; bodies and codes are never shown.',
        querystring: NotificationsQuery,
        response: { 200: Page(Notification), ...guarded, ...problemResponses(422) },
      },
    },
    async (request) => {
      const { page, size, channel, status } = request.query
      return notificationsService.page(page, size, { channel, status })
    },
  )

  app.get(
    `${prefix}/notifications/summary`,
    {
      config: requirePermission('notifications', 'read'),
      schema: {
        operationId: 'summarizeNotifications',
        summary: 'How many messages were queued, sent and failed, per day',
        description:
          'Counts by status of the messages created in the last 24 hours and on each of the last `days` UTC days.',
        querystring: NotificationSummaryQuery,
        response: { 200: NotificationSummary, ...guarded, ...problemResponses(422) },
      },
    },
    async (request) => notificationsService.summary(request.query.days),
  )

  app.post(
    `${prefix}/notifications/:id/retry`,
    {
      config: requirePermission('notifications', 'update'),
      schema: {
        operationId: 'retryNotification',
        summary: 'Send a failed email or SMS again',
        description:
          'Puts a failed message back in the queue with its tries counted anew. A message that held a one-time code was deleted when it failed and cannot be retried (409).',
        params: IdParams,
        response: { 200: Notification, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) => notificationsService.retry(request.params.id),
  )

  app.get(
    `${templates}/`,
    {
      config: requirePermission('notifications', 'read'),
      schema: {
        operationId: 'listSmsTemplates',
        summary: 'List SMS templates',
        description:
          'Every SMS template, the two the app sends (2fa_code, password_reset) among them.',
        response: { 200: Type.Array(SmsTemplate), ...guarded },
      },
    },
    async () => notificationsService.listSmsTemplates(),
  )

  app.get(
    `${templates}/:id`,
    {
      config: requirePermission('notifications', 'read'),
      schema: {
        operationId: 'getSmsTemplate',
        summary: 'Get an SMS template',
        description: 'One SMS template by id.',
        params: IdParams,
        response: { 200: SmsTemplate, ...guarded, ...problemResponses(404, 422) },
      },
    },
    async (request) => notificationsService.getSmsTemplate(request.params.id),
  )

  app.post(
    `${templates}/`,
    {
      config: requirePermission('notifications', 'create'),
      schema: {
        operationId: 'createSmsTemplate',
        summary: 'Create an SMS template',
        description: 'Content in Jinja2 syntax (`{{ code }}`), checked when saved.',
        body: SmsTemplateCreate,
        response: { 201: SmsTemplate, ...guarded, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await notificationsService.createSmsTemplate(request.body)),
  )

  app.put(
    `${templates}/:id`,
    {
      config: requirePermission('notifications', 'update'),
      schema: {
        operationId: 'updateSmsTemplate',
        summary: 'Update an SMS template (only the fields sent change)',
        description: 'The templates the app sends cannot be renamed.',
        params: IdParams,
        body: SmsTemplateUpdate,
        response: { 200: SmsTemplate, ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request) => notificationsService.updateSmsTemplate(request.params.id, request.body),
  )

  app.delete(
    `${templates}/:id`,
    {
      config: requirePermission('notifications', 'delete'),
      schema: {
        operationId: 'deleteSmsTemplate',
        summary: 'Delete an SMS template (not one the app itself sends)',
        description: 'The templates the app sends cannot be deleted.',
        params: IdParams,
        response: { 204: Type.Null(), ...guarded, ...problemResponses(404, 409, 422) },
      },
    },
    async (request, reply) => {
      await notificationsService.deleteSmsTemplate(request.params.id)
      return reply.code(204).send(null)
    },
  )
}
