import { jobType } from '../../core/jobs.ts'

/** E-mails every low-stock product to the holders of products:update (daily, LOW_STOCK_DIGEST_CRON). */
export const lowStockDigest = jobType<Record<string, never>>('products.low-stock-digest')
