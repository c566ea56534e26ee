import { handleJob } from '../../core/jobs.ts'
import { defineModule } from '../../core/module.ts'
import { deliverNotification, requeueNotifications } from './notifications.jobs.ts'
import { createNotificationsRepository } from './notifications.repository.ts'
import { registerNotificationsRoutes } from './notifications.routes.ts'
import { createNotificationsService, type NotificationsService } from './notifications.service.ts'

declare module '../../core/auth/access.ts' {
  interface Resources {
    notifications: true
  }
}

declare module '../../core/module.ts' {
  interface Services {
    notificationsService: NotificationsService
  }
}

/** Email and SMS through an outbox table, delivered by jobs; SMS templates in the database. */
export const notificationsModule = defineModule({
  name: 'notifications',
  resources: ['notifications'],
  description:
    'The email and SMS outbox with the delivery status of each message, and the SMS templates',
  services: (context) => ({
    notificationsService: createNotificationsService({
      ...context,
      notificationsRepository: createNotificationsRepository(context.database.db),
      retryBackoffMs: context.config.JOB_BACKOFF_MS,
    }),
  }),
  routes(app, { notificationsService }, { config }) {
    registerNotificationsRoutes(app, { notificationsService, prefix: config.API_V1_PREFIX })
  },
  async seed({ notificationsService }) {
    await notificationsService.seedSmsTemplates()
  },
  jobs: ({ notificationsService }) => [
    handleJob(deliverNotification, ({ notificationId }, run) =>
      notificationsService.deliver(notificationId, run),
    ),
    handleJob(
      requeueNotifications,
      async () => {
        await notificationsService.requeueDue()
      },
      { schedule: { cron: '* * * * *', payload: {}, atStart: true } },
    ),
  ],
})
