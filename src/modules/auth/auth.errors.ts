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

export const invalidCode = defineError(400, 'invalid_code', () => ({
  detail: 'The code is wrong, expired or already used; request a new one',
}))

/** A 2FA sign-in code: like a wrong password, a 401. */
export const invalidLoginCode = () =>
  unauthorized('The code is wrong, expired or already used; sign in again', 'invalid_code')

export const phoneNumberRequired = defineError(422, 'validation_failed', () => ({
  detail: 'Two-factor sign-in sends codes by SMS: set a phone_number on your profile first',
  errors: [{ field: 'phone_number', message: 'is required for two-factor sign-in' }],
}))

export const twoFactorAlreadyOn = defineError(409, 'conflict', () => ({
  detail: 'Two-factor sign-in is already on',
}))
