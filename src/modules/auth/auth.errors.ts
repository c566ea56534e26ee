import { unauthorized } from '../../core/auth/auth.errors.ts'
import { defineError } from '../../core/errors.ts'

/** The same answer for an unknown email and a wrong password. */
export const invalidCredentials = () =>
  unauthorized('Incorrect email or password', 'invalid_credentials')

export const invalidRefreshToken = () =>
  unauthorized('The refresh token is invalid, expired or revoked', 'invalid_token')

export const refreshTokenReused = () =>
  unauthorized(
    'This refresh token was already used; the session has been revoked. Sign in again.',
    'token_reused',
  )

export const wrongCurrentPassword = defineError(400, 'invalid_password', () => ({
  detail: 'The current password is incorrect',
}))
