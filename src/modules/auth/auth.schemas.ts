import { Type } from 'typebox'
import { Password } from '../users/users.schemas.ts'

export const Tokens = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Access token lifetime in seconds' }),
})

export const LoginRequest = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
)

export const RefreshRequest = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const PasswordChange = Type.Object(
  { current_password: Type.String({ minLength: 1, maxLength: 128 }), new_password: Password },
  { additionalProperties: false },
)
