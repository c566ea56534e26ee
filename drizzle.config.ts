import { defineConfig } from 'drizzle-kit'

/** Every module's tables live in its `*.models.ts`; migrations are generated into `migrations/`. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/modules/*/*.models.ts',
  out: './migrations',
  casing: 'snake_case',
})
