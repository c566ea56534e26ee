import { type Static, Type } from 'typebox'
import { Password } from '../users/users.schemas.ts'

export const Tokens = Type.Object(
  {
    access_token: Type.String(),
    refresh_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Access token lifetime in seconds' }),
  },
  { title: 'Tokens' },
)

export const LoginRequest = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { title: 'LoginRequest', additionalProperties: false },
)

/** Any string: one that is not a live refresh token is 401 `invalid_token`, as clients expect. */
export const RefreshRequest = Type.Object(
  { refresh_token: Type.String() },
  { title: 'RefreshRequest', additionalProperties: false },
)

export const PasswordChange = Type.Object(
  { current_password: Type.String({ minLength: 1, maxLength: 128 }), new_password: Password },
  { title: 'PasswordChange', additionalProperties: false },
)

export const TwoFactorChallenge = Type.Object(
  {
    two_factor_required: Type.Literal(true),
    challenge_token: Type.String({ description: 'Send it with the SMS code to /auth/2fa/verify' }),
  },
  { title: 'TwoFactorChallenge' },
)

const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code' })

export const TwoFactorVerify = Type.Object(
  { challenge_token: Type.String({ minLength: 1, maxLength: 2000 }), code: Code },
  { title: 'TwoFactorVerify', additionalProperties: false },
)

export const PasswordResetRequest = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }) },
  { title: 'PasswordResetRequest', additionalProperties: false },
)

export const PasswordResetConfirm = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    code: Code,
    new_password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { title: 'PasswordResetConfirm', additionalProperties: false },
)

export const TwoFactorConfirm = Type.Object(
  { code: Code },
  { title: 'TwoFactorConfirm', additionalProperties: false },
)

export const TwoFactorDisable = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128 }) },
  { title: 'TwoFactorDisable', additionalProperties: false },
)

/** A new session's tokens (not the signer in `core/auth/tokens.ts`). */
export type IssuedTokens = Static<typeof Tokens>
/** Login of a user with two-factor sign-in on: the SMS code goes to `/auth/2fa/verify`. */
export type TwoFactorChallenge = Static<typeof TwoFactorChallenge>
