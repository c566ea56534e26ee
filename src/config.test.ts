import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

const dataDir = () => mkdtempSync(join(tmpdir(), 'food-fleet-config-'))
const base = () => ({ DATA_DIR: dataDir(), SECRET_KEY: 'k'.repeat(40) })
const strongSecret = 'Zq3x9Lm2Pw7Rt5Yv8Nb4Kd6Hf1Gj0Sa-uEoIcW'

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a configuration error')
}

describe('loadConfig', () => {
  it('gives the guide defaults when nothing is set', () => {
    const config = loadConfig(base())
    expect(config).toMatchObject({
      APP_NAME: 'Food Fleet',
      API_V1_PREFIX: '/api/v1',
      HOST: '0.0.0.0',
      PORT: 8000,
      ACCESS_TOKEN_EXPIRE_MINUTES: 15,
      REFRESH_TOKEN_EXPIRE_DAYS: 7,
      MIGRATE_ON_START: true,
      DOCS_ENABLED: true,
      CORS_ORIGINS: [],
      SNS_SMS_TYPE: 'Transactional',
    })
    expect(config.DATABASE_URL).toBeUndefined()
  })

  it('rejects a non-numeric PORT, naming the variable', () => {
    expect(errorOf({ ...base(), PORT: 'abc' })).toMatch(/^PORT: must be integer/)
  })

  it('rejects a PORT out of range', () => {
    expect(errorOf({ ...base(), PORT: '70000' })).toMatch(/^PORT: /)
  })

  it('rejects a DATABASE_URL that is not a PostgreSQL URL', () => {
    expect(errorOf({ ...base(), DATABASE_URL: 'nonsense' })).toMatch(/^DATABASE_URL: /)
    expect(errorOf({ ...base(), DATABASE_URL: 'mysql://db/x' })).toMatch(/^DATABASE_URL: /)
  })

  it("accepts the guide's postgresql+asyncpg:// URL", () => {
    const config = loadConfig({
      ...base(),
      DATABASE_URL: 'postgresql+asyncpg://user:pw@localhost:5432/mydb',
    })
    expect(config.DATABASE_URL).toBe('postgresql://user:pw@localhost:5432/mydb')
  })

  it('reads CORS_ORIGINS as a JSON list or a comma list', () => {
    const json = loadConfig({ ...base(), CORS_ORIGINS: '["https://a.com","https://b.com"]' })
    const comma = loadConfig({ ...base(), CORS_ORIGINS: 'https://a.com, https://b.com' })
    expect(json.CORS_ORIGINS).toEqual(['https://a.com', 'https://b.com'])
    expect(comma.CORS_ORIGINS).toEqual(['https://a.com', 'https://b.com'])
  })

  it('rejects a CORS_ORIGINS list that is not valid JSON', () => {
    expect(errorOf({ ...base(), CORS_ORIGINS: '["https://a.com"' })).toMatch(/^CORS_ORIGINS: /)
  })

  it("reads Python-style booleans from the guide's .env", () => {
    expect(loadConfig({ ...base(), DEBUG: 'False', DB_ECHO: 'True' })).toMatchObject({
      DEBUG: false,
      DB_ECHO: true,
    })
    expect(errorOf({ ...base(), DEBUG: 'maybe' })).toMatch(/^DEBUG: must be true or false/)
  })

  it('rejects an unknown LOG_LEVEL, listing the allowed values', () => {
    expect(errorOf({ ...base(), LOG_LEVEL: 'verbose' })).toBe(
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    )
  })

  it('refuses FIRST_SUPERUSER_EMAIL without FIRST_SUPERUSER_PASSWORD, and the reverse', () => {
    expect(errorOf({ ...base(), FIRST_SUPERUSER_EMAIL: 'root@example.com' })).toBe(
      'FIRST_SUPERUSER_PASSWORD: is required with FIRST_SUPERUSER_EMAIL (set both, or neither)',
    )
    expect(errorOf({ ...base(), FIRST_SUPERUSER_PASSWORD: 'a-long-password-1' })).toBe(
      'FIRST_SUPERUSER_EMAIL: is required with FIRST_SUPERUSER_PASSWORD (set both, or neither)',
    )
  })

  it('refuses a module setting its own check rejects: TOKEN_CLEANUP_CRON that is not cron', () => {
    expect(errorOf({ ...base(), TOKEN_CLEANUP_CRON: '0 99 * * * *' })).toMatch(
      /^TOKEN_CLEANUP_CRON: is not a cron expression/,
    )
    expect(errorOf({ ...base(), LOW_STOCK_DIGEST_CRON: '0 7 30 FEB *' })).toBe(
      'LOW_STOCK_DIGEST_CRON: is not a cron expression (0 7 30 FEB * never runs)',
    )
    expect(loadConfig({ ...base(), TOKEN_CLEANUP_CRON: '30 3 * * 1' }).TOKEN_CLEANUP_CRON).toBe(
      '30 3 * * 1',
    )
  })

  it('rejects a REDIS_URL that is not a redis:// URL', () => {
    expect(errorOf({ ...base(), REDIS_URL: 'http://localhost' })).toMatch(/^REDIS_URL: /)
  })
})

describe('SECRET_KEY', () => {
  const production = { NODE_ENV: 'production', DATA_DIR: '/nonexistent' }

  it('is required in production', () => {
    expect(errorOf(production)).toBe('SECRET_KEY: is required in production')
  })

  it('must be at least 32 characters in production', () => {
    expect(errorOf({ ...production, SECRET_KEY: 'short' })).toMatch(/at least 32 characters/)
  })

  it("refuses the guide's placeholder in production", () => {
    const placeholder = 'your-super-secret-key-change-this-in-production'
    expect(errorOf({ ...production, SECRET_KEY: placeholder })).toMatch(/placeholder/)
  })

  it('accepts a strong key in production and closes the docs by default', () => {
    const config = loadConfig({ ...production, SECRET_KEY: strongSecret })
    expect(config.SECRET_KEY).toBe(strongSecret)
    expect(config.DOCS_ENABLED).toBe(false)
  })

  it('refuses DEBUG in production', () => {
    expect(errorOf({ ...production, SECRET_KEY: strongSecret, DEBUG: 'true' })).toMatch(/^DEBUG: /)
  })

  it('is generated once in development and kept in DATA_DIR', () => {
    const dir = dataDir()
    const first = loadConfig({ DATA_DIR: dir })
    const second = loadConfig({ DATA_DIR: dir })
    expect(first.SECRET_KEY.length).toBeGreaterThanOrEqual(32)
    expect(second.SECRET_KEY).toBe(first.SECRET_KEY)
    const file = join(dir, 'secret_key')
    expect(existsSync(file)).toBe(true)
    expect(readFileSync(file, 'utf8')).toBe(first.SECRET_KEY)
    expect(statSync(file).mode & 0o077).toBe(0)
  })
})
