import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { get, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createRedisCache } from '../src/core/cache.ts'
import { connectRedis } from '../src/core/redis.ts'
import { silentLogger } from './helpers/app.ts'
import { adminQuery, withDatabase } from './helpers/postgres.ts'
import {
  cleanEnv,
  freePort,
  imageCommand,
  ROOT,
  type Started,
  servicesSet,
  startProcess,
  until,
  waitForHealthy,
} from './helpers/process.ts'

const serverUrl = process.env.DATABASE_URL
const redisUrl = process.env.REDIS_URL

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 240_000 })
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')}: ${result.stderr}${result.stdout}`)
}

/** The child processes of `pid` (the cluster's HTTP workers). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return (
          Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid
        )
      } catch {
        return false
      }
    })
    .map(Number)
}

/** CPU ticks a process has used (user + system). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return Number(fields[11]) + Number(fields[12])
}

/** A GET on a connection of its own (so the cluster spreads them): the status, or the error code. */
function request(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = get(
      { host: '127.0.0.1', port, path, agent: false, timeout: 10_000 },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })))
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
  })
}

/** A login whose body takes `ms` to arrive: the status, or the error code. */
function slowLogin(port: number, ms: number): Promise<number | string> {
  const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password-1' })
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/auth/login',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    req.write(body.slice(0, 10))
    setTimeout(() => req.end(body.slice(10)), ms)
  })
}

async function load(port: number, path: string, total: number, concurrency = 8) {
  const results: (number | string)[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1
        results.push(await request(port, path))
      }
    }),
  )
  return results
}

const EXPOSITION_LINE =
  /^(# (HELP|TYPE) \S+ .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.]+(e[+-]?\d+)?|NaN|[+-]Inf))$/

/**
 * The production path: the build (`tsc`) in a copy holding only what the image holds, its
 * production dependencies installed with `npm ci --omit=dev`, started with `node dist/main.js`
 * and WEB_CONCURRENCY=2 on PostgreSQL + Redis.
 */
describe.runIf(servicesSet('the built server as the image runs it', 'DATABASE_URL', 'REDIS_URL'))(
  'the built server, run as the image runs it',
  () => {
    let dir: string
    let database: string
    let server: Started
    let port: number
    let metricsPort: number
    const keyPrefix = `ff-prod:${randomUUID()}:`

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'food-fleet-runtime-'))
      run(
        process.execPath,
        [
          join(ROOT, 'node_modules/typescript/bin/tsc'),
          '-p',
          'tsconfig.build.json',
          '--outDir',
          join(dir, 'dist'),
        ],
        ROOT,
      )
      for (const path of ['package.json', 'package-lock.json', 'migrations']) {
        cpSync(join(ROOT, path), join(dir, path), { recursive: true })
      }
      for (const module of readdirSync(join(ROOT, 'src/modules'))) {
        const templates = join('src/modules', module, 'templates')
        if (existsSync(join(ROOT, templates)))
          cpSync(join(ROOT, templates), join(dir, templates), { recursive: true })
      }
      run(
        'npm',
        ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
        dir,
      )
      expect(existsSync(join(dir, 'node_modules/typescript'))).toBe(false)

      database = `food_fleet_prod_${randomUUID().replaceAll('-', '').slice(0, 10)}`
      await adminQuery(
        serverUrl as string,
        `create database ${database} template ${inject('postgresTemplate')}`,
      )
      port = await freePort()
      metricsPort = await freePort()
      server = startProcess(
        imageCommand().slice(1),
        cleanEnv({
          NODE_ENV: 'production',
          SECRET_KEY: randomBytes(48).toString('base64'),
          DATABASE_URL: withDatabase(serverUrl as string, database),
          REDIS_URL: redisUrl as string,
          REDIS_KEY_PREFIX: keyPrefix,
          WEB_CONCURRENCY: '2',
          PORT: String(port),
          METRICS_PORT: String(metricsPort),
          HOST: '127.0.0.1',
          LOGIN_RATE_LIMIT: '1000/minute',
          LOGIN_IP_RATE_LIMIT: '1000/minute',
        }),
        dir,
      )
      await waitForHealthy(port, 60_000)
    }, 300_000)

    afterAll(async () => {
      server?.child.kill('SIGKILL')
      const redis = connectRedis(redisUrl as string, 'test')
      await createRedisCache(redis, silentLogger, keyPrefix).deleteByPrefix('')
      await redis.quit()
      if (database)
        await adminQuery(serverUrl as string, `drop database if exists ${database} with (force)`)
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    const pid = () => server.child.pid as number
    const twoWorkers = () =>
      until(() => {
        const children = childrenOf(pid())
        return children.length === 2 ? children : undefined
      })

    async function healthCount(): Promise<number> {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
      const line = text
        .split('\n')
        .find((row) =>
          row.startsWith(
            'http_request_duration_seconds_count{method="GET",route="/health",status="200"}',
          ),
        )
      return Number(line?.split(' ').at(-1) ?? 0)
    }

    it("runs two HTTP workers with the image's Node flags that both serve, with no dev tooling and no TypeScript", async () => {
      const workers = await twoWorkers()
      const flags = imageCommand().slice(1, -1)
      for (const worker of workers) {
        const argv = readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0')
        expect(argv.slice(1, 1 + flags.length)).toEqual(flags)
      }
      const before = workers.map(cpuTicks)
      const results = await load(port, '/api/v1/products/?limit=20', 600)
      expect(results.every((status) => status === 200)).toBe(true)
      const used = workers.map((worker, index) => cpuTicks(worker) - (before[index] as number))
      expect(
        used.every((ticks) => ticks > 0),
        `CPU ticks per worker: ${used}`,
      ).toBe(true)
    })

    it('serves /metrics in Prometheus format on METRICS_PORT, and the counts move', async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
      for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(EXPOSITION_LINE)
      for (const name of [
        'http_request_duration_seconds',
        'jobs_total',
        'job_queue_depth',
        'db_pool_connections',
        'process_cpu_seconds_total',
      ]) {
        expect(text).toContain(`# TYPE ${name} `)
      }
      const before = await healthCount()
      await load(port, '/health', 40)
      expect(await healthCount()).toBeGreaterThanOrEqual(before + 40)
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404)
    })

    it('replaces a worker killed with SIGKILL and keeps serving', { timeout: 60_000 }, async () => {
      const [victim, survivor] = await twoWorkers()
      const during = load(port, '/api/v1/products/?limit=20', 400)
      await new Promise((resolve) => setTimeout(resolve, 100))
      process.kill(victim as number, 'SIGKILL')
      const results = await during
      const failed = results.filter((status) => status !== 200)
      // Only requests on the killed worker's connections at that instant can fail.
      expect(failed.length).toBeLessThanOrEqual(8)
      const replaced = await until(() => {
        const children = childrenOf(pid())
        return children.length === 2 && !children.includes(victim as number) ? children : undefined
      })
      expect(replaced).toContain(survivor)
      expect((await load(port, '/health', 40)).every((status) => status === 200)).toBe(true)
    })

    it('drains in-flight requests on SIGTERM and exits 0 with its workers', async () => {
      const workers = await twoWorkers()
      // Requests whose bodies are still arriving when the stop begins: truly in flight.
      const inFlight = Array.from({ length: 8 }, () => slowLogin(port, 300))
      await new Promise((resolve) => setTimeout(resolve, 100))
      server.child.kill('SIGTERM')
      expect(await Promise.all(inFlight)).toEqual(Array(8).fill(401))
      expect(await server.exited).toBe(0)
      for (const worker of workers) expect(existsSync(`/proc/${worker}`)).toBe(false)
    })
  },
)
