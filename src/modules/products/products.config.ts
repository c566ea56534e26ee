import { Type } from 'typebox'
import { checkCron, defineConfig } from '../../config-fragment.ts'

export const productsConfig = defineConfig(
  {
    LOW_STOCK_THRESHOLD: Type.Integer({
      minimum: 0,
      maximum: 2147483647,
      default: 5,
      description:
        'A product whose stock falls to this or below is low: the holders of products:update are e-mailed once per crossing',
    }),
    LOW_STOCK_DIGEST_CRON: Type.String({
      minLength: 9,
      default: '0 7 * * *',
      description: 'When the daily digest of every low-stock product is e-mailed (cron, UTC)',
    }),
  },
  (values) => checkCron('LOW_STOCK_DIGEST_CRON', values.LOW_STOCK_DIGEST_CRON),
)
