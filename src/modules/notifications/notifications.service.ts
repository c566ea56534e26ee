import type { Clock } from '../../core/clock.ts'
import type { Database } from '../../core/db/database.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import { onCommit } from '../../core/db/transactions.ts'
import type { JobRun, Jobs } from '../../core/jobs.ts'
import type { Logger } from '../../core/logger.ts'
import type { Attachment, Mailer } from '../../core/mail.ts'
import { offsetOf, type PageOf, pageOf } from '../../core/pagination.ts'
import type { SmsSender } from '../../core/sms.ts'
import { htmlToText, type Templates } from '../../core/templates.ts'
import {
  invalidSmsTemplate,
  notificationNotFailed,
  notificationNotFound,
  notificationNotRetryable,
  smsTemplateNameTaken,
  smsTemplateNotFound,
  smsTemplateRequired,
} from './notifications.errors.ts'
import { deliverNotification } from './notifications.jobs.ts'
import type {
  NotificationPayload,
  NotificationRow,
  SmsTemplateRow,
} from './notifications.models.ts'
import type { NotificationFilter, NotificationsRepository } from './notifications.repository.ts'
import type {
  Notification,
  NotificationSummary,
  SmsTemplate,
  SmsTemplateCreate,
  SmsTemplateUpdate,
} from './notifications.schemas.ts'

/** The templates the app's own flows send; seeded, and protected from deletion and renaming. */
export const REQUIRED_SMS_TEMPLATES = [
  {
    name: '2fa_code',
    content: 'Your verification code is: {{code}}',
    description: '2FA verification code',
  },
  {
    name: 'password_reset',
    content: 'Your password reset code is: {{code}}. Valid for 15 minutes.',
    description: 'Password reset code',
  },
] as const

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  channel: row.channel,
  recipient: row.recipient,
  template: row.template,
  subject: row.subject,
  status: row.status,
  attempts: row.attempts,
  last_error: row.lastError,
  created_at: row.createdAt.toISOString(),
  sent_at: row.sentAt?.toISOString() ?? null,
})

const toSmsTemplate = (row: SmsTemplateRow): SmsTemplate => ({
  id: row.id,
  name: row.name,
  content: row.content,
  description: row.description,
})

/** What a failed try leaves in `last_error`: the error's own words, bounded. */
const describeFailure = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000)

const isRequired = (name: string) =>
  REQUIRED_SMS_TEMPLATES.some((required) => required.name === name)

export function createNotificationsService({
  notificationsRepository: repository,
  templates,
  mailer,
  sms,
  jobs,
  clock,
  logger,
  retryBackoffMs,
}: {
  notificationsRepository: NotificationsRepository
  templates: Templates
  mailer: Mailer
  sms: SmsSender
  jobs: Jobs
  clock: Clock
  logger: Logger
  /** How long a queued row waits after a try before it is queued again, doubled per try. */
  retryBackoffMs: number
}) {
  const queueDelivery = (id: number) =>
    jobs.enqueue(deliverNotification, { notificationId: id }, { id: `notification-${id}` })

  /** Records the message in the caller's transaction; queues its delivery once that commits. */
  async function record(
    tx: Database | undefined,
    values: Parameters<NotificationsRepository['insertNotification']>[0],
  ): Promise<number> {
    const row = await (tx ? repository.on(tx) : repository).insertNotification(values)
    const queue = async () => {
      // A lost enqueue is not lost mail: the row stays queued and the requeue job finds it.
      await queueDelivery(row.id).catch((error) =>
        logger.warn({ err: error, notificationId: row.id }, 'could not queue'),
      )
    }
    if (tx) await onCommit(tx, queue)
    else await queue()
    return row.id
  }

  async function smsTemplateText(name: string, variables: Record<string, unknown>, tx?: Database) {
    const template = await (tx ? repository.on(tx) : repository).findSmsTemplateByName(name)
    if (!template) throw new Error(`SMS template "${name}" does not exist`)
    return templates.renderText(template.content, variables)
  }

  function checkTemplate(content: string): void {
    try {
      templates.parseText(content)
    } catch (error) {
      throw invalidSmsTemplate((error as Error).message)
    }
  }

  async function requireSmsTemplate(id: number): Promise<SmsTemplateRow> {
    const row = await repository.findSmsTemplate(id)
    if (!row) throw smsTemplateNotFound(id)
    return row
  }

  const conflictOf = (error: unknown, name: string | undefined) =>
    databaseErrorCode(error) === '23505' && name ? smsTemplateNameTaken(name) : error

  return {
    /**
     * The guide's `send_templated_email`, through the outbox: rendered now (a missing variable
     * fails the caller's transaction, not a later job), delivered by a job after commit.
     */
    async email(
      tx: Database | undefined,
      email: {
        to: string
        subject: string
        template: string
        context: Record<string, unknown>
        /** When the code it holds expires. */
        expiresAt?: Date
      },
    ): Promise<number> {
      const html = templates.render(email.template, email.context)
      return record(tx, {
        channel: 'email',
        recipient: email.to,
        subject: email.subject,
        template: email.template,
        payload: { html, text: htmlToText(html) },
        expiresAt: email.expiresAt,
      })
    },

    /** The guide's `send_email` (with attachments), through the outbox. */
    async emailMessage(
      tx: Database | undefined,
      email: {
        to: string
        subject: string
        html?: string
        text?: string
        attachments?: Attachment[]
      },
    ): Promise<number> {
      const attachments = email.attachments?.map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        content:
          typeof attachment.content === 'string' && attachment.encoding === 'base64'
            ? attachment.content
            : Buffer.from(attachment.content).toString('base64'),
      }))
      return record(tx, {
        channel: 'email',
        recipient: email.to,
        subject: email.subject,
        payload: { html: email.html, text: email.text, attachments },
      })
    },

    /** The guide's `send_templated_sms`: a template from `sms_templates`, through the outbox. */
    async sms(
      tx: Database | undefined,
      message: {
        to: string
        template: string
        variables: Record<string, unknown>
        /** When the code it holds expires. */
        expiresAt?: Date
      },
    ): Promise<number> {
      const text = await smsTemplateText(message.template, message.variables, tx)
      return record(tx, {
        channel: 'sms',
        recipient: message.to,
        template: message.template,
        payload: { message: text },
        expiresAt: message.expiresAt,
      })
    },

    /**
     * Sends one outbox row (the delivery job). A failed try is recorded and rethrown so the
     * queue retries with backoff; the last one marks the row failed. A row whose tries are used
     * up by runs that never finished (their process died), or whose code has expired, is failed
     * without sending. Rows no longer queued (sent, failed, or taken by a concurrent try) are
     * left alone.
     */
    async deliver(notificationId: number, run: JobRun): Promise<void> {
      const row = await repository.claim(notificationId, run.maxAttempts, clock.now())
      if (!row) {
        await repository.giveUp(notificationId, run.maxAttempts, clock.now())
        return
      }
      if (!row.payload) return
      const payload: NotificationPayload = row.payload
      try {
        const { messageId } =
          'message' in payload
            ? await sms.sendSms(row.recipient, payload.message)
            : await mailer.sendEmail({
                to: row.recipient,
                subject: row.subject ?? '',
                html: payload.html,
                text: payload.text,
                attachments: payload.attachments?.map((attachment) => ({
                  ...attachment,
                  encoding: 'base64' as const,
                })),
              })
        await repository.markSent(row.id, messageId, clock.now())
      } catch (error) {
        const final = run.attempt >= run.maxAttempts || row.attempts >= run.maxAttempts
        await repository.recordFailure(row.id, describeFailure(error), final)
        throw error
      }
    },

    /**
     * Queues again every queued row past its backoff, however its last job ended (the requeue
     * job, every minute, when a worker starts and when its Redis comes back). A row whose job
     * still waits or runs is not queued twice.
     */
    async requeueDue(): Promise<number> {
      const ids = await repository.dueQueued(clock.now(), retryBackoffMs, 1000)
      for (const id of ids) await queueDelivery(id)
      if (ids.length > 0) logger.info({ count: ids.length }, 'requeued notifications')
      return ids.length
    },

    /** Sends a failed message again, its tries counted anew (`POST /notifications/{id}/retry`). */
    async retry(id: number): Promise<Notification> {
      const row = await repository.requeueFailed(id)
      if (!row) {
        const current = await repository.findNotification(id)
        if (!current) throw notificationNotFound(id)
        throw current.status === 'failed'
          ? notificationNotRetryable(id)
          : notificationNotFailed(id, current.status)
      }
      await queueDelivery(row.id)
      return toNotification(row)
    },

    async page(
      page: number,
      size: number,
      filter: NotificationFilter,
    ): Promise<PageOf<Notification>> {
      const { rows, total } = await repository.pageNotifications(offsetOf(page, size), size, filter)
      return pageOf(rows.map(toNotification), total, page, size)
    },

    /** Messages by status: in the last 24 hours, and on each of the last `days` UTC days. */
    async summary(days: number): Promise<NotificationSummary> {
      const now = clock.now()
      const DAY_MS = 86_400_000
      const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS
      const first = today - (days - 1) * DAY_MS
      const perDay = new Map<string, NotificationSummary['days'][number]>()
      for (let start = first; start <= today; start += DAY_MS) {
        const day = new Date(start).toISOString().slice(0, 10)
        perDay.set(day, { day, queued: 0, sent: 0, failed: 0 })
      }
      const last24h = { queued: 0, sent: 0, failed: 0 }
      const [daily, recent] = await Promise.all([
        repository.countByDay(new Date(first)),
        repository.countByDay(new Date(now.getTime() - DAY_MS)),
      ])
      for (const row of daily) {
        const counts = perDay.get(row.day)
        if (counts) counts[row.status] += row.count
      }
      for (const row of recent) last24h[row.status] += row.count
      return { last_24h: last24h, days: [...perDay.values()] }
    },

    async listSmsTemplates(): Promise<SmsTemplate[]> {
      return (await repository.listSmsTemplates()).map(toSmsTemplate)
    },

    async getSmsTemplate(id: number): Promise<SmsTemplate> {
      return toSmsTemplate(await requireSmsTemplate(id))
    },

    async createSmsTemplate(input: SmsTemplateCreate) {
      checkTemplate(input.content)
      try {
        return toSmsTemplate(
          await repository.insertSmsTemplate({
            name: input.name,
            content: input.content,
            description: input.description ?? null,
          }),
        )
      } catch (error) {
        throw conflictOf(error, input.name)
      }
    },

    async updateSmsTemplate(id: number, input: SmsTemplateUpdate): Promise<SmsTemplate> {
      const current = await requireSmsTemplate(id)
      if (input.name !== undefined && input.name !== current.name && isRequired(current.name)) {
        throw smsTemplateRequired(current.name)
      }
      if (input.content !== undefined) checkTemplate(input.content)
      if (Object.keys(input).length === 0) return toSmsTemplate(current)
      try {
        const row = await repository.updateSmsTemplate(id, input)
        if (!row) throw smsTemplateNotFound(id)
        return toSmsTemplate(row)
      } catch (error) {
        throw conflictOf(error, input.name)
      }
    },

    async deleteSmsTemplate(id: number): Promise<void> {
      const current = await requireSmsTemplate(id)
      if (isRequired(current.name)) throw smsTemplateRequired(current.name)
      if (!(await repository.deleteSmsTemplate(id))) throw smsTemplateNotFound(id)
    },

    /** Seeds the templates the app's flows need; idempotent, never overwrites an edited one. */
    async seedSmsTemplates(): Promise<void> {
      for (const template of REQUIRED_SMS_TEMPLATES) {
        await repository.insertSmsTemplateIfMissing(template)
      }
    },
  }
}

export type NotificationsService = ReturnType<typeof createNotificationsService>
