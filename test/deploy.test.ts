import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { configSchema } from '../src/config.ts'
import { testConfig } from './helpers/app.ts'
import { cleanEnv, imageCommand, ROOT, startProcess } from './helpers/process.ts'

// There is no Docker engine or nginx here: these check that the deployment files hold together
// and point at what exists; test/production.test.ts runs the build the way the image does.

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

const UNITS = ['deploy/food-fleet.service', 'deploy/food-fleet-worker.service'] as const

const SCRIPTS = JSON.parse(read('package.json')).scripts as Record<string, string>

/** The `--` options of a command line. */
const flagsOf = (command = '') => command.split(' ').filter((word) => word.startsWith('--'))

/** The Node flags `npm start` runs with: every long-running process is started with them. */
const START_FLAGS = flagsOf(SCRIPTS.start)

/** `node [flags] dist/x.js …` runs the build of `src/x.ts` with exactly `flags`. */
function expectBuiltEntry(command: string[], flags: string[] = []) {
  expect(command[0]).toBe('node')
  expect(command.slice(1, 1 + flags.length)).toEqual(flags)
  const entry = command[1 + flags.length] ?? ''
  expect(entry).toMatch(/^dist\/.+\.js$/)
  expect(
    existsSync(join(ROOT, entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))),
    entry,
  ).toBe(true)
}

interface ComposeService {
  image?: string
  build?: string
  command?: string[]
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }>
  volumes?: string[]
  healthcheck?: { test?: string[] }
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, ComposeService>
    volumes: Record<string, unknown>
  }
  const { services } = compose

  it("has the guide's services: postgres, redis, a one-shot migrate, app and worker", () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'migrate', 'postgres', 'redis', 'worker'])
  })

  it('starts in order: databases healthy, then migrations done, then app and worker', () => {
    expect(services.postgres?.healthcheck?.test).toBeDefined()
    expect(services.redis?.healthcheck?.test).toBeDefined()
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
    for (const name of ['app', 'worker']) {
      expect(services[name]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      })
      expect(services[name]?.environment?.MIGRATE_ON_START).toBe('false')
    }
  })

  it('runs only entry points that exist, from the image built of this Dockerfile', () => {
    expect(services.migrate?.build).toBe('.')
    expectBuiltEntry(services.migrate?.command ?? [])
    expect(services.migrate?.command?.slice(2)).toEqual(['migrate'])
    expectBuiltEntry(services.worker?.command ?? [], START_FLAGS)
    expect(services.worker?.command?.at(-1)).toBe('dist/worker.js')
    // The app runs the image's CMD.
    expectBuiltEntry(imageCommand(), START_FLAGS)
    expect(imageCommand().at(-1)).toBe('dist/main.js')
  })

  it('keeps uploads on a volume and refuses to start without a SECRET_KEY', () => {
    expect(services.app?.volumes).toContain('uploads:/app/data/uploads')
    expect(Object.keys(compose.volumes)).toContain('uploads')
    expect(read('compose.yaml')).toMatch(/SECRET_KEY: \$\{SECRET_KEY:\?/)
  })

  it('names only configuration variables the app knows', () => {
    const known = Object.keys(configSchema.properties)
    for (const service of ['app', 'worker', 'migrate']) {
      for (const key of Object.keys(services[service]?.environment ?? {})) {
        expect(known, key).toContain(key)
      }
    }
  })
})

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')

  it('builds in one stage and runs production dependencies only, as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2)
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '))
    expect(runtime).toContain('npm ci --omit=dev')
    expect(runtime).toMatch(/^USER node$/m)
    expect(runtime).toMatch(/^ENV NODE_ENV=production/m)
  })

  it('checks /health and lets SIGTERM reach node (exec form, no shell)', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health/m)
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m)
    expect(dockerfile).not.toMatch(/^CMD (?!\[)/m)
  })

  it('copies only paths that exist', () => {
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(existsSync(join(ROOT, source as string)), source).toBe(true)
    }
    expect(read('.dockerignore')).toMatch(/^node_modules$/m)
    expect(read('.dockerignore')).toMatch(/^\.env$/m)
  })
})

describe('deploy/', () => {
  it('nginx passes the client address the way TRUST_PROXY expects and streams uploads', () => {
    const nginx = read('deploy/nginx.conf')
    expect(nginx).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;')
    expect(nginx).toMatch(/location \/api\/v1\/files\/ \{[^}]*proxy_request_buffering off;/)
    const config = testConfig()
    const bodyMb = Number(/client_max_body_size (\d+)M;/.exec(nginx)?.[1])
    expect(bodyMb).toBeGreaterThanOrEqual(config.MAX_UPLOAD_MB * config.MAX_UPLOAD_FILES)
    // The API sets these itself; nginx adding them would send them twice (see nginx.test.ts).
    for (const header of ['X-Frame-Options', 'X-Content-Type-Options']) {
      expect(nginx).not.toContain(`add_header ${header}`)
    }
  })

  it.each([
    [UNITS[0], 'dist/main.js'],
    [UNITS[1], 'dist/worker.js'],
  ])('%s runs node on %s directly and stops it with SIGTERM', (unit, entry) => {
    const text = read(unit)
    const exec = /^ExecStart=(.+)$/m.exec(text)?.[1]?.split(' ') ?? []
    expect(exec[0]).toBe('/usr/bin/node')
    expect(exec.at(-1)).toBe(entry)
    expectBuiltEntry(['node', ...exec.slice(1)], START_FLAGS)
    expect(text).toMatch(/^KillSignal=SIGTERM$/m)
  })
})

describe('Node flags', () => {
  it('bound the young generation and keep the garbage collector on the main thread', () => {
    expect(START_FLAGS).toEqual([
      '--max-semi-space-size=4',
      '--single-threaded-gc',
      '--v8-pool-size=1',
    ])
  })

  it('are given on the command line of every long-running process, nowhere else', () => {
    for (const script of ['worker', 'dev']) expect(flagsOf(SCRIPTS[script])).toEqual(START_FLAGS)
    // Node refuses --single-threaded-gc in NODE_OPTIONS: one place for all of them.
    for (const file of ['Dockerfile', 'compose.yaml', ...UNITS]) {
      expect(read(file)).not.toContain('NODE_OPTIONS')
    }
  })
})

describe('the embedded database template', () => {
  it('is written by the build beside the module that looks for it, in the image too', () => {
    const build = SCRIPTS.build ?? ''
    expect(build).toContain('node bin/pglite-template.mjs dist/core/db/pglite-template.tar.gz')
    expect(read('src/core/db/database.ts')).toContain(
      "new URL('./pglite-template.tar.gz', import.meta.url)",
    )
    expect(read('Dockerfile')).toMatch(/^COPY bin\/pglite-template\.mjs \.\/bin\/$/m)
  })
})

describe('WEB_CONCURRENCY', () => {
  it('is refused on the embedded database, with one line saying why', async () => {
    const started = startProcess(['bin/start.mjs'], cleanEnv({ WEB_CONCURRENCY: '2' }))
    expect(await started.exited).not.toBe(0)
    expect(started.output().trim()).toBe(
      'WEB_CONCURRENCY=2 needs DATABASE_URL: the embedded database allows one process',
    )
  })
})

describe('the Node versions package.json promises', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string } }
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { engines?: { node?: string }; optional?: boolean }>
  }

  it.each(['20.19.0', '22.12.0', '24.0.0'])(
    'include %s, and every installed package agrees',
    (version) => {
      expect(semver.satisfies(version, pkg.engines.node)).toBe(true)
      const refusing = Object.entries(lock.packages)
        .filter(([, entry]) => !entry.optional && entry.engines?.node)
        .filter(([, entry]) => !semver.satisfies(version, entry.engines?.node ?? '*'))
        .map(([path, entry]) => `${path} (${entry.engines?.node})`)
      expect(refusing).toEqual([])
    },
  )
})
