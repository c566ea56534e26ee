import { and, asc, count, desc, eq, lt, type SQL, sql } from 'drizzle-orm'
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

    /** Takes a queued row for one delivery try: counts the try, so a resend shows. */
    async claim(id: number): Promise<NotificationRow | undefined> {
      const [row] = await db
        .update(notifications)
        .set({ attempts: sql`${notifications.attempts} + 1` })
        .where(and(eq(notifications.id, id), eq(notifications.status, 'queued')))
        .returning()
      return row
    },

    async markSent(id: number, providerMessageId: string, at: Date): Promise<void> {
      await db
        .update(notifications)
        .set({ status: 'sent', sentAt: at, providerMessageId, payload: null, lastError: null })
        .where(eq(notifications.id, id))
    },

    async recordFailure(id: number, error: string, final: boolean): Promise<void> {
      await db
        .update(notifications)
        .set(final ? { status: 'failed', lastError: error, payload: null } : { lastError: error })
        .where(eq(notifications.id, id))
    },

    /** Queued rows untouched since `before`, oldest first. */
    async staleQueued(before: Date, limit: number): Promise<number[]> {
      const rows = await db
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(eq(notifications.status, 'queued'), lt(notifications.updatedAt, before)))
        .orderBy(asc(notifications.updatedAt))
        .limit(limit)
      return rows.map((row) => row.id)
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

    async updateSmsTemplate(
      id: number,
      values: Partial<typeof smsTemplates.$inferInsert>,
    ): Promise<SmsTemplateRow | undefined> {
      const [row] = await db
        .update(smsTemplates)
        .set(values)
        .where(eq(smsTemplates.id, id))
        .returning()
      return row
    },

    async deleteSmsTemplate(id: number): Promise<boolean> {
      const deleted = await db
        .delete(smsTemplates)
        .where(eq(smsTemplates.id, id))
        .returning({ id: smsTemplates.id })
      return deleted.length > 0
    },
  }
}

export function createNotificationsRepository(db: Database) {
  return repositoryOf(db, notificationsQueries)
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>
