import { type Static, Type } from 'typebox'
import { PageQuery } from '../../core/pagination.ts'

export const Notification = Type.Object(
  {
    id: Type.Integer(),
    channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
    recipient: Type.String(),
    template: Type.Union([Type.String(), Type.Null()]),
    subject: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    last_error: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'Notification' },
)

export const NotificationsQuery = Type.Object(
  {
    ...PageQuery.properties,
    channel: Type.Optional(
      Type.Union([Type.Literal('email'), Type.Literal('sms')], {
        description: 'Only this channel',
      }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')], {
        description: 'Only messages in this state',
      }),
    ),
  },
  { additionalProperties: false },
)

export const SmsTemplate = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    content: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'SmsTemplate' },
)

const Name = Type.String({ pattern: '^[a-z0-9_]{1,100}$', description: 'snake_case' })
const Content = Type.String({ minLength: 1, maxLength: 1600, description: 'Jinja2 syntax' })
const Description = Type.Union([Type.String({ maxLength: 255 }), Type.Null()])

export const SmsTemplateCreate = Type.Object(
  { name: Name, content: Content, description: Type.Optional(Description) },
  { title: 'SmsTemplateCreate', additionalProperties: false },
)

export const SmsTemplateUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    content: Type.Optional(Content),
    description: Type.Optional(Description),
  },
  { title: 'SmsTemplateUpdate', additionalProperties: false },
)

const StatusCounts = {
  queued: Type.Integer({ minimum: 0 }),
  sent: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
}

export const NotificationSummary = Type.Object(
  {
    last_24h: Type.Object(StatusCounts, { description: 'Messages created in the last 24 hours' }),
    days: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), ...StatusCounts }), {
      description: 'Messages created on each UTC day, oldest first, today last',
    }),
  },
  { title: 'NotificationSummary' },
)

export const NotificationSummaryQuery = Type.Object(
  {
    days: Type.Integer({
      minimum: 1,
      maximum: 90,
      default: 7,
      description: 'Days, today included',
    }),
  },
  { additionalProperties: false },
)

/** An outbox row as admins see it: no message body, no code. */
export type Notification = Static<typeof Notification>
export type NotificationSummary = Static<typeof NotificationSummary>
export type SmsTemplate = Static<typeof SmsTemplate>
export type SmsTemplateCreate = Static<typeof SmsTemplateCreate>
export type SmsTemplateUpdate = Static<typeof SmsTemplateUpdate>
