import cluster from 'node:cluster'
import { createServer, type Server } from 'node:http'
import type PromClient from 'prom-client'
import type { DatabaseHandle } from './db/database.ts'
import type { JobOutcome, Jobs } from './jobs.ts'
import { lazyRequire } from './lazy.ts'
import type { App } from './module.ts'

/**
 * Prometheus metrics of this process, in prom-client's default registry (the one its cluster
 * aggregation reads): HTTP requests by route and status, jobs by name and outcome, queue depth,
 * database pool use, and the process's own (CPU, memory, event-loop lag, GC).
 */
export interface Metrics {
  observeJob(job: string, outcome: JobOutcome, seconds: number): void
  /** Request durations by method, route (the pattern, not the URL) and status. */
  instrument(app: App): void
  /** What is only known on a scrape: pool and queue state. */
  watch(database: DatabaseHandle, jobs: Jobs): void
}

/** prom-client, loaded only by a process that serves metrics (`METRICS_PORT`). */
export const promClient = lazyRequire<typeof PromClient>('prom-client')

let watched: { database: DatabaseHandle; jobs: Jobs } | undefined
let answersPrimary: PromClient.AggregatorRegistry<PromClient.RegistryContentType> | undefined

/** Without `METRICS_PORT` nothing is counted and no collector runs. */
const noMetrics: Metrics = { observeJob() {}, instrument() {}, watch() {} }

/** One set per process: every app built in it (tests build many) reports into the same. */
export function createMetrics(enabled: boolean): Metrics {
  if (!enabled) return noMetrics
  const client = promClient()
  const registry = client.register
  const metric = <M>(name: string, create: () => M): M =>
    (registry.getSingleMetric(name) as M | undefined) ?? create()
  if (!registry.getSingleMetric('process_cpu_seconds_total')) client.collectDefaultMetrics()
  // A cluster worker answers the primary's requests for its metrics; prom-client sets that up
  // when an aggregator is made.
  if (cluster.isWorker && answersPrimary === undefined) {
    answersPrimary = new client.AggregatorRegistry()
  }
  const requests = metric(
    'http_request_duration_seconds',
    () =>
      new client.Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP requests by method, route and status (its _count is the request count)',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
  )
  const jobs = metric(
    'jobs_total',
    () =>
      new client.Counter({
        name: 'jobs_total',
        help: 'Background job runs by job and outcome (completed, retried, failed)',
        labelNames: ['job', 'outcome'],
      }),
  )
  metric(
    'job_queue_depth',
    () =>
      new client.Gauge({
        name: 'job_queue_depth',
        help: 'Jobs by state (waiting, delayed, active, failed)',
        labelNames: ['state'],
        // Every process of a cluster sees the same Redis queue: not a sum.
        aggregator: 'max',
        async collect() {
          if (!watched) return
          const depth = await watched.jobs.depth().catch(() => ({}))
          for (const [state, count] of Object.entries(depth)) this.set({ state }, count)
        },
      }),
  )
  metric(
    'db_pool_connections',
    () =>
      new client.Gauge({
        name: 'db_pool_connections',
        help: 'Database pool connections by state (total, idle, waiting clients)',
        labelNames: ['state'],
        collect() {
          if (!watched) return
          const stats = watched.database.poolStats()
          this.set({ state: 'total' }, stats.total)
          this.set({ state: 'idle' }, stats.idle)
          this.set({ state: 'waiting' }, stats.waiting)
        },
      }),
  )
  return {
    observeJob(job, outcome) {
      jobs.inc({ job, outcome })
    },
    instrument(app) {
      app.addHook('onResponse', (request, reply, done) => {
        requests.observe(
          {
            method: request.method,
            route: request.routeOptions.url ?? 'unmatched',
            status: reply.statusCode,
          },
          reply.elapsedTime / 1000,
        )
        done()
      })
    },
    watch(database, jobsQueue) {
      watched = { database, jobs: jobsQueue }
    },
  }
}

/** The exposition text of this process. */
export const metricsText = () => promClient().register.metrics()

/**
 * Serves `GET /metrics` on its own port (`METRICS_PORT`), apart from the API: scrapers reach it
 * on the internal network, clients never. `collect` gives the text (one process, or the cluster).
 */
export async function serveMetrics(
  host: string,
  port: number,
  collect: () => Promise<string>,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    collect().then(
      (text) =>
        response.writeHead(200, { 'content-type': promClient().register.contentType }).end(text),
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return server
}
