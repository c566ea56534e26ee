import { Type } from 'typebox'
import { checkPair, defineConfig } from '../../config-fragment.ts'

export const usersConfig = defineConfig(
  {
    FIRST_SUPERUSER_EMAIL: Type.Optional(
      Type.String({ format: 'email', description: 'Superuser created on first start' }),
    ),
    FIRST_SUPERUSER_PASSWORD: Type.Optional(
      Type.String({ minLength: 8, description: 'Password of that superuser' }),
    ),
    FRONTEND_URL: Type.String({
      format: 'uri',
      default: 'http://localhost:3000',
      description: 'Base URL of the client app, for links in emails',
    }),
  },
  (values) => checkPair(values, 'FIRST_SUPERUSER_EMAIL', 'FIRST_SUPERUSER_PASSWORD'),
)
