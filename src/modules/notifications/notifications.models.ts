import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core'
import { id, timestamps } from '../../core/db/columns.ts'

/**
 * The outbox: every email and SMS, written in the transaction of the change that causes it and
 * delivered by a job. `payload` (the rendered message) is dropped once the message is sent, or
 * has failed for good while holding a code; other failed messages keep it, to be retried.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    channel: varchar({ length: 5 }).notNull().$type<'email' | 'sms'>(),
    recipient: varchar({ length: 320 }).notNull(),
    template: varchar({ length: 200 }),
    subject: varchar({ length: 255 }),
    payload: jsonb().$type<NotificationPayload>(),
    status: varchar({ length: 6 }).notNull().default('queued').$type<NotificationStatus>(),
    attempts: integer().notNull().default(0),
    lastError: varchar({ length: 1000 }),
    providerMessageId: varchar({ length: 200 }),
    sentAt: timestamp({ withTimezone: true }),
    /** When the code the message holds expires: it is not sent after, nor kept once failed. */
    expiresAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (table) => [
    index('notifications_status_updated_at_idx').on(table.status, table.updatedAt),
    index('notifications_channel_id_idx').on(table.channel, table.id),
    check('notifications_channel_known', sql`${table.channel} in ('email', 'sms')`),
    check('notifications_status_known', sql`${table.status} in ('queued', 'sent', 'failed')`),
  ],
)

/** The guide's SMSTemplate: message texts in Jinja2 syntax (`{{ code }}`), editable at run time. */
export const smsTemplates = pgTable(
  'sms_templates',
  {
    id: id(),
    name: varchar({ length: 100 }).notNull(),
    content: varchar({ length: 1600 }).notNull(),
    description: varchar({ length: 255 }),
    ...timestamps(),
  },
  (table) => [uniqueIndex('sms_templates_name_key').on(table.name)],
)

export type NotificationStatus = 'queued' | 'sent' | 'failed'

export type NotificationPayload =
  | {
      html?: string
      text?: string
      attachments?: { filename: string; content: string; contentType?: string }[]
    }
  | { message: string }

export type NotificationRow = typeof notifications.$inferSelect
export type NewNotification = typeof notifications.$inferInsert
export type SmsTemplateRow = typeof smsTemplates.$inferSelect
