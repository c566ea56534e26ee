import { jobType } from '../../core/jobs.ts'

/** Sends one outbox row; its id is the job id, so a row is never queued twice at once. */
export const deliverNotification = jobType<{ notificationId: number }>('notifications.deliver')

/**
 * Re-queues rows left `queued` past their backoff (a worker died, Redis lost the job); every
 * minute, when a worker starts and when its Redis comes back.
 */
export const requeueNotifications = jobType<Record<string, never>>('notifications.requeue')
