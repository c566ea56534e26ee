import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { type Static, type TSchema, Type } from 'typebox'
import { Value } from 'typebox/value'
import { ConfigError, refuse, settingsOf } from './config-fragment.ts'
import { authConfig } from './modules/auth/auth.config.ts'
import { filesConfig } from './modules/files/files.config.ts'
import { healthConfig } from './modules/health/health.config.ts'
import { productsConfig } from './modules/products/products.config.ts'
import { usersConfig } from './modules/users/users.config.ts'

export { ConfigError }

/** The settings modules own (`<module>.config.ts`), composed with the shared ones below. */
const MODULE_CONFIGS = [authConfig, usersConfig, productsConfig, filesConfig, healthConfig] as const

/**
 * Every setting, with the guide's variable names: the shared ones, then each module's. Strings
 * from the environment are coerced by the schema's type; a bad value stops the process with one
 * line naming the variable.
 */
export const configSchema = Type.Object({
  NODE_ENV: Type.Union(
    [Type.Literal('development'), Type.Literal('production'), Type.Literal('test')],
    { default: 'development', description: 'development, production or test' },
  ),
  APP_NAME: Type.String({ minLength: 1, default: 'Food Fleet', description: 'Shown in API docs' }),
  DEBUG: Type.Boolean({
    default: false,
    description: 'Verbose errors in logs; refused in production',
  }),
  API_V1_PREFIX: Type.String({
    pattern: '^/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$',
    default: '/api/v1',
    description: 'Prefix of the v1 API',
  }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address to listen on' }),
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8000,
    description: 'Port to listen on',
  }),
  DATA_DIR: Type.String({
    minLength: 1,
    default: './data',
    description: 'Embedded database, generated secret and local files',
  }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info', description: 'pino log level' },
  ),
  WEB_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 1,
    description: 'HTTP worker processes sharing PORT (node:cluster); above 1 needs DATABASE_URL',
  }),
  METRICS_PORT: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 65535,
      description:
        'Serve Prometheus /metrics on this port (on HOST), apart from the API; unset = off',
    }),
  ),
  SLOW_REQUEST_MS: Type.Integer({
    minimum: 1,
    default: 1000,
    description: 'Requests slower than this are logged at warn (others at debug, 4xx at info)',
  }),
  TRUST_PROXY: Type.String({
    default: 'false',
    description: 'true, false, a hop count, or a comma list of proxy addresses/CIDRs',
  }),
  DOCS_ENABLED: Type.Optional(
    Type.Boolean({
      description: 'Serve /docs and /openapi.json (default: on except in production)',
    }),
  ),
  ADMIN_UI_ENABLED: Type.Boolean({
    default: true,
    description: 'Serve the admin console (web/dist) at /admin/',
  }),
  MIGRATE_ON_START: Type.Boolean({ default: true, description: 'Apply migrations on start' }),
  DATABASE_URL: Type.Optional(
    Type.String({ description: 'PostgreSQL URL; unset = embedded PGlite in DATA_DIR' }),
  ),
  DATABASE_POOL_SIZE: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: 'node-postgres pool size',
  }),
  DB_ECHO: Type.Boolean({
    default: false,
    description: 'Log every SQL statement (not its values)',
  }),
  SECRET_KEY: Type.Optional(
    Type.String({ description: 'Signs tokens; required (≥ 32 chars) in production' }),
  ),
  ACCESS_TOKEN_EXPIRE_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 1440,
    default: 15,
    description: 'Access token lifetime',
  }),
  REDIS_URL: Type.Optional(
    Type.String({ description: 'Redis URL; unset = in-memory cache, rate limits and jobs' }),
  ),
  CACHE_ENABLED: Type.Boolean({
    default: true,
    description: 'Cache reads (products, categories, role permissions); false to rule it out',
  }),
  CACHE_LOCAL_MB: Type.Integer({
    minimum: 0,
    maximum: 4096,
    default: 16,
    description: 'MB of cached JSON each process also keeps in memory, with Redis; 0 for none',
  }),
  REDIS_KEY_PREFIX: Type.String({
    minLength: 1,
    maxLength: 50,
    default: 'ff:',
    description: 'Prefix of every Redis key (cache, rate limits, queues), to share one Redis',
  }),
  CORS_ORIGINS: Type.Array(Type.String(), {
    default: [],
    description: 'Allowed origins: JSON list or comma list',
  }),
  BODY_LIMIT_KB: Type.Integer({
    minimum: 1,
    maximum: 102400,
    default: 1024,
    description: 'Largest JSON body accepted',
  }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    default: 10000,
    description: 'How long in-flight requests may take to finish on SIGTERM',
  }),
  ARGON2_MEMORY_KIB: Type.Integer({
    minimum: 1024,
    maximum: 4_194_304,
    default: 19456,
    description: 'argon2id memory cost in KiB (OWASP: 19456)',
  }),
  ARGON2_ITERATIONS: Type.Integer({
    minimum: 1,
    maximum: 20,
    default: 2,
    description: 'argon2id time cost (OWASP: 2)',
  }),
  ARGON2_PARALLELISM: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 1,
    description: 'argon2id parallelism (OWASP: 1)',
  }),
  AWS_REGION: Type.String({ minLength: 1, default: 'us-east-1', description: 'AWS region' }),
  AWS_ACCESS_KEY_ID: Type.Optional(
    Type.String({ description: 'AWS key; unset = the SDK default chain' }),
  ),
  AWS_SECRET_ACCESS_KEY: Type.Optional(Type.String({ description: 'AWS secret' })),
  AWS_ENDPOINT_URL: Type.Optional(
    Type.String({ format: 'uri', description: 'AWS endpoint override (moto, LocalStack)' }),
  ),
  SES_SENDER_EMAIL: Type.String({
    default: 'noreply@example.com',
    description: 'From address of emails',
  }),
  SES_SENDER_NAME: Type.String({ default: 'Food Fleet', description: 'From name of emails' }),
  SNS_SMS_TYPE: Type.Union([Type.Literal('Transactional'), Type.Literal('Promotional')], {
    default: 'Transactional',
    description: 'SNS SMS type attribute',
  }),
  EMAIL_BACKEND: Type.Union([Type.Literal('log'), Type.Literal('ses'), Type.Literal('smtp')], {
    default: 'log',
    description: 'log (writes .eml files under DATA_DIR/mail), ses or smtp (SMTP_URL)',
  }),
  SMTP_URL: Type.Optional(
    Type.String({
      description: 'smtp:// or smtps:// URL with credentials; for EMAIL_BACKEND=smtp',
    }),
  ),
  SMS_BACKEND: Type.Union([Type.Literal('log'), Type.Literal('sns')], {
    default: 'log',
    description: 'log (writes messages under DATA_DIR/sms) or sns',
  }),
  RUN_WORKERS: Type.Optional(
    Type.Boolean({
      description:
        'Work background jobs in the web process (default: on, except in production with REDIS_URL)',
    }),
  ),
  JOB_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 50,
    default: 5,
    description: 'Tries of a background job before it fails for good',
  }),
  JOB_BACKOFF_MS: Type.Integer({
    minimum: 1,
    default: 2000,
    description: 'First retry delay of a job; doubled on each further retry',
  }),
  JOB_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description: 'Jobs one process works at once',
  }),
  JOB_LOCK_MS: Type.Integer({
    minimum: 1000,
    default: 30000,
    description: 'A job whose worker died is run again within this long (Redis only)',
  }),
  STORAGE_BACKEND: Type.Union([Type.Literal('local'), Type.Literal('s3')], {
    default: 'local',
    description: 'Where uploaded files go: local (UPLOAD_DIR) or s3 (S3_BUCKET)',
  }),
  UPLOAD_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'Local upload directory (default DATA_DIR/uploads)' }),
  ),
  S3_BUCKET: Type.Optional(
    Type.String({
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      description: 'Bucket of uploads when STORAGE_BACKEND=s3',
    }),
  ),
  ...settingsOf(MODULE_CONFIGS),
})

export type Config = Static<typeof configSchema> & {
  SECRET_KEY: string
  DOCS_ENABLED: boolean
  DATA_DIR: string
  UPLOAD_DIR: string
  RUN_WORKERS: boolean
}

const PLACEHOLDER_SECRET = /change|your-|secret-key|placeholder|example|generate|xxx/i

/** Reads `.env` from the working directory when present; real environment variables win. */
export function readEnv(dir = process.cwd()): Record<string, string | undefined> {
  const file = join(dir, '.env')
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}
  return { ...fromFile, ...process.env }
}

/** The values an enum setting (or a list of them) takes, for an error that names them. */
function allowedValues(schema: unknown): unknown[] | undefined {
  const { anyOf, items } = (schema ?? {}) as { anyOf?: { const?: unknown }[]; items?: unknown }
  if (items) return allowedValues(items)
  if (!anyOf?.every((member) => 'const' in member)) return undefined
  return anyOf.map((member) => member.const)
}

export function loadConfig(env: Record<string, string | undefined> = readEnv()): Config {
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(configSchema.properties)) {
    const value = env[key]
    if (value === undefined || value === '') continue
    raw[key] = coerce(key, value, schema)
  }
  // Checked once per process: interpreting the schema (typebox/value) is cheaper than
  // compiling a validator (Ajv) for one use.
  const withDefaults = Value.Default(configSchema, raw) as Record<string, unknown>
  const [first] = Value.Errors(configSchema, withDefaults)
  if (first) {
    const key = first.instancePath.split('/')[1] ?? first.schemaPath
    const allowed = allowedValues(
      configSchema.properties[key as keyof typeof configSchema.properties],
    )
    const message = allowed ? `must be one of ${allowed.join(', ')}` : first.message
    throw new ConfigError(`${key}: ${message} (got ${JSON.stringify(withDefaults[key])})`)
  }
  const config = withDefaults as Static<typeof configSchema>
  for (const fragment of MODULE_CONFIGS) fragment.check(config)
  const production = config.NODE_ENV === 'production'
  const dataDir = resolve(config.DATA_DIR)
  return {
    ...config,
    DATA_DIR: dataDir,
    UPLOAD_DIR: config.UPLOAD_DIR ? resolve(config.UPLOAD_DIR) : join(dataDir, 'uploads'),
    SMTP_URL:
      config.EMAIL_BACKEND === 'smtp'
        ? checkUrl('SMTP_URL', config.SMTP_URL ?? '', ['smtp:', 'smtps:'])
        : config.SMTP_URL,
    RUN_WORKERS: config.RUN_WORKERS ?? !(production && config.REDIS_URL),
    S3_BUCKET:
      config.STORAGE_BACKEND === 's3' && !config.S3_BUCKET
        ? refuse('S3_BUCKET', 'is required when STORAGE_BACKEND=s3')
        : config.S3_BUCKET,
    DATABASE_URL: config.DATABASE_URL && normalizeDatabaseUrl(config.DATABASE_URL),
    REDIS_URL: config.REDIS_URL && checkUrl('REDIS_URL', config.REDIS_URL, ['redis:', 'rediss:']),
    DOCS_ENABLED: config.DOCS_ENABLED ?? !production,
    DEBUG:
      production && config.DEBUG ? refuse('DEBUG', 'must be false in production') : config.DEBUG,
    SECRET_KEY: secretKey(config.SECRET_KEY, production, dataDir),
  }
}

function coerce(key: string, value: string, schema: TSchema): unknown {
  const type = (schema as { type?: string }).type
  if (type === 'boolean') {
    const lowered = value.trim().toLowerCase()
    if (['true', '1', 'yes', 'on'].includes(lowered)) return true
    if (['false', '0', 'no', 'off'].includes(lowered)) return false
    return refuse(key, `must be true or false (got ${JSON.stringify(value)})`)
  }
  if (type === 'integer' || type === 'number') {
    return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value
  }
  if (type === 'array') return parseList(key, value)
  return value
}

/** The guide writes lists as JSON (`["https://a.com"]`); a comma list is accepted too. */
function parseList(key: string, value: string): string[] {
  const trimmed = value.trim()
  if (!trimmed.startsWith('[')) {
    return trimmed
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  }
  try {
    const parsed: unknown = JSON.parse(trimmed)
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed
  } catch {
    // reported below
  }
  return refuse(key, 'must be a JSON list of strings or a comma-separated list')
}

function checkUrl(key: string, value: string, protocols: string[]): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return refuse(key, `must be a URL starting with ${protocols.join(' or ')}//`)
  }
  if (!protocols.includes(url.protocol) || !url.hostname) {
    return refuse(
      key,
      `must be a URL starting with ${protocols.join(' or ')}// (got ${url.protocol}//…)`,
    )
  }
  return value
}

/** Accepts SQLAlchemy-style `postgresql+asyncpg://` URLs from the guide's `.env`. */
function normalizeDatabaseUrl(value: string): string {
  const normalized = value.replace(/^postgres(ql)?\+[a-z0-9]+:\/\//i, 'postgresql://')
  return checkUrl('DATABASE_URL', normalized, ['postgresql:', 'postgres:'])
}

function secretKey(value: string | undefined, production: boolean, dataDir: string): string {
  if (production) {
    if (!value) refuse('SECRET_KEY', 'is required in production')
    if (value.length < 32) refuse('SECRET_KEY', 'must be at least 32 characters in production')
    if (PLACEHOLDER_SECRET.test(value)) {
      refuse('SECRET_KEY', 'looks like a placeholder; generate one with `openssl rand -base64 48`')
    }
    return value
  }
  if (value) return value
  const file = join(dataDir, 'secret_key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const generated = randomBytes(48).toString('base64url')
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(file, generated, { mode: 0o600, flag: 'wx' })
  return generated
}
