import { Type } from 'typebox'
import { checkCron, defineConfig, RATE_PATTERN } from '../../config-fragment.ts'

export const authConfig = defineConfig(
  {
    REFRESH_TOKEN_EXPIRE_DAYS: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 7,
      description: 'Refresh token lifetime',
    }),
    LOGIN_RATE_LIMIT: Type.String({
      pattern: RATE_PATTERN,
      default: '5/minute',
      description: 'Login attempts per client IP and email',
    }),
    LOGIN_IP_RATE_LIMIT: Type.String({
      pattern: RATE_PATTERN,
      default: '30/minute',
      description: 'Login attempts per client IP',
    }),
    SIGNUP_RATE_LIMIT: Type.String({
      pattern: RATE_PATTERN,
      default: '10/minute',
      description: 'Registrations and password-reset requests per client IP',
    }),
    TOKEN_CLEANUP_CRON: Type.String({
      minLength: 9,
      default: '0 2 * * *',
      description: 'When expired refresh tokens and codes are deleted (cron, UTC)',
    }),
  },
  (values) => checkCron('TOKEN_CLEANUP_CRON', values.TOKEN_CLEANUP_CRON),
)
