import { jobType } from '../../core/jobs.ts'

/**
 * A password-reset request, handled off the request path: the answer (202) and its timing are
 * the same whether or not the email has an account.
 */
export const passwordResetRequested = jobType<{ email: string }>('auth.password-reset')

/** The guide's nightly cleanup_expired_tokens (and expired or spent codes). */
export const cleanupExpired = jobType<Record<string, never>>('auth.cleanup')
