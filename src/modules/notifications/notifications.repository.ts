import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from 'drizzle-orm'
import { deleteById, updateById } from '../../core/db/by-id.ts'
import type { Database } from '../../core/db/database.ts'
import { pageWithTotal } from '../../core/db/pages.ts'
import { repositoryOf } from '../../core/db/transactions.ts'
import {
  type NewNotification,
  type NotificationRow,
  type NotificationStatus,
  notifications,
  type SmsTemplateRow,
  smsTemplates,
} from './notifications.models.ts'

export interface NotificationFilter {
  channel?: 'email' | 'sms'
  status?: NotificationStatus
}

function notificationsQueries(db: Database) {
  return {
    async insertNotification(values: NewNotification): Promise<NotificationRow> {
      const [row] = await db.insert(notifications).values(values).returning()
      return row as NotificationRow
    },

    /**
     * Takes a queued row for one delivery try, counting the try (so a resend shows), unless it
     * has had `maxTries` or its code has expired.
     */
    async claim(id: number, maxTries: number, now: Date): Promise<NotificationRow | undefined> {
      const [row] = await db
        .update(notifications)
        .set({ attempts: sql`${notifications.attempts} + 1` })
        .where(
          and(
            eq(notifications.id, id),
            eq(notifications.status, 'queued'),
            lt(notifications.attempts, maxTries),
            or(isNull(notifications.expiresAt), gt(notifications.expiresAt, now)),
          ),
        )
        .returning()
      return row
    },

    /** Fails a queued row that `claim` refused: its code expired, or no try has finished. */
    async giveUp(id: number, maxTries: number, now: Date): Promise<void> {
      const expired = lte(notifications.expiresAt, now)
      await db
        .update(notifications)
        .set({
          status: 'failed',
          lastError: sql`case when ${expired} then 'Expired: its code expired before it could be sent'
            else ${`Stopped: ${maxTries} tries did not finish (the process sending it stopped)`} end`,
          payload: sql`case when ${notifications.expiresAt} is null then ${notifications.payload} end`,
        })
        .where(
          and(
            eq(notifications.id, id),
            eq(notifications.status, 'queued'),
            or(gte(notifications.attempts, maxTries), expired),
          ),
        )
    },

    async markSent(id: number, providerMessageId: string, at: Date): Promise<void> {
      await db
        .update(notifications)
        .set({ status: 'sent', sentAt: at, providerMessageId, payload: null, lastError: null })
        .where(eq(notifications.id, id))
    },

    /**
     * Records a failed try; the last one fails the row. A failed row keeps its message, to be
     * retried, unless it holds a code (`expires_at`).
     */
    async recordFailure(id: number, error: string, final: boolean): Promise<void> {
      await db
        .update(notifications)
        .set(
          final
            ? {
                status: 'failed',
                lastError: error,
                payload: sql`case when ${notifications.expiresAt} is null then ${notifications.payload} end`,
              }
            : { lastError: error },
        )
        .where(eq(notifications.id, id))
    },

    /**
     * Queued rows whose last try (or creation) is older than its backoff, `backoffMs` doubled
     * for each try made and capped at an hour; oldest first.
     */
    async dueQueued(now: Date, backoffMs: number, limit: number): Promise<number[]> {
      const backoff = sql`least(${backoffMs} * power(2, ${notifications.attempts}), 3600000)`
      const rows = await db
        .select({ id: notifications.id })
        .from(notifications)
        .where(
          and(
            eq(notifications.status, 'queued'),
            lt(
              notifications.updatedAt,
              sql`${now.toISOString()}::timestamptz - ${backoff} * interval '1 millisecond'`,
            ),
          ),
        )
        .orderBy(asc(notifications.updatedAt))
        .limit(limit)
      return rows.map((row) => row.id)
    },

    /** Puts a failed row that still has its message back in the queue, its tries counted anew. */
    async requeueFailed(id: number): Promise<NotificationRow | undefined> {
      const [row] = await db
        .update(notifications)
        .set({ status: 'queued', attempts: 0 })
        .where(
          and(
            eq(notifications.id, id),
            eq(notifications.status, 'failed'),
            isNotNull(notifications.payload),
          ),
        )
        .returning()
      return row
    },

    async findNotification(id: number): Promise<NotificationRow | undefined> {
      const [row] = await db.select().from(notifications).where(eq(notifications.id, id))
      return row
    },

    async pageNotifications(offset: number, limit: number, filter: NotificationFilter) {
      const where: SQL | undefined = and(
        filter.channel ? eq(notifications.channel, filter.channel) : undefined,
        filter.status ? eq(notifications.status, filter.status) : undefined,
      )
      return pageWithTotal(
        db
          .select()
          .from(notifications)
          .where(where)
          .orderBy(desc(notifications.id))
          .limit(limit)
          .offset(offset),
        db.select({ total: count() }).from(notifications).where(where),
      )
    },

    /** Messages created since `since`, counted by UTC day and status, oldest day first. */
    countByDay(since: Date): Promise<{ day: string; status: NotificationStatus; count: number }[]> {
      const day = sql<string>`to_char(${notifications.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`
      return db
        .select({ day, status: notifications.status, count: count() })
        .from(notifications)
        .where(gte(notifications.createdAt, since))
        .groupBy(day, notifications.status)
        .orderBy(asc(day), asc(notifications.status))
    },

    listSmsTemplates: () => db.select().from(smsTemplates).orderBy(asc(smsTemplates.id)),

    async findSmsTemplate(id: number): Promise<SmsTemplateRow | undefined> {
      const [row] = await db.select().from(smsTemplates).where(eq(smsTemplates.id, id))
      return row
    },

    async findSmsTemplateByName(name: string): Promise<SmsTemplateRow | undefined> {
      const [row] = await db.select().from(smsTemplates).where(eq(smsTemplates.name, name))
      return row
    },

    async insertSmsTemplate(values: typeof smsTemplates.$inferInsert): Promise<SmsTemplateRow> {
      const [row] = await db.insert(smsTemplates).values(values).returning()
      return row as SmsTemplateRow
    },

    /** Inserts the template unless one of that name exists; true when it was inserted. */
    async insertSmsTemplateIfMissing(values: typeof smsTemplates.$inferInsert): Promise<boolean> {
      const inserted = await db
        .insert(smsTemplates)
        .values(values)
        .onConflictDoNothing()
        .returning({ id: smsTemplates.id })
      return inserted.length > 0
    },

    updateSmsTemplate: (id: number, values: Partial<typeof smsTemplates.$inferInsert>) =>
      updateById(db, smsTemplates, id, values),

    deleteSmsTemplate: (id: number) => deleteById(db, smsTemplates, id),
  }
}

export function createNotificationsRepository(db: Database) {
  return repositoryOf(db, notificationsQueries)
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>
