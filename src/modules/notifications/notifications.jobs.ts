import { jobType } from '../../core/jobs.ts'

/** Sends one outbox row; its id is the job id, so a row is never queued twice at once. */
export const deliverNotification = jobType<{ notificationId: number }>('notifications.deliver')

/** Re-queues rows left `queued` (a worker was down, a job was lost); every minute. */
export const requeueNotifications = jobType<{ olderThanSeconds: number }>('notifications.requeue')
