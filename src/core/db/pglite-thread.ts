import { Worker } from 'node:worker_threads'
import type { QueryOptions, Results } from '@electric-sql/pglite'

/** The queries Drizzle and the app run on PGlite, in or out of a transaction. */
export interface PgliteQueries {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  exec(sql: string): Promise<Results[]>
}

/** What the app uses of PGlite: a `PGlite` instance has it, and so has `startPgliteThread`'s. */
export interface PgliteClient extends PgliteQueries {
  transaction<T>(work: (tx: PgliteQueries) => Promise<T>): Promise<T>
  close(): Promise<void>
  readonly closed: boolean
}

export type PgliteThreadOptions =
  /** `template`: a gzipped data directory tarball to create `dataDir` from, when it is new. */
  | { dataDir: string; template?: string; loadDataDir?: undefined }
  /** A data directory tarball (`dumpDataDir`) to start from, in memory. */
  | { dataDir?: undefined; template?: undefined; loadDataDir: Uint8Array }

/** Sent to the worker; `tx` 0 is outside any transaction, else the `id` of its `begin`. */
export type PgliteRequest = { id: number } & (
  | {
      op: 'query'
      tx: number
      sql: string
      params: unknown[]
      rowMode: 'array' | 'object'
      textTypes: number[]
    }
  | { op: 'exec'; tx: number; sql: string }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' }
)

/** Distributes `Omit` over the request kinds. */
type RequestBody<R> = R extends unknown ? Omit<R, 'id'> : never

export interface PgliteReply {
  id: number
  result?: unknown
  error?: { name: string; message: string; [field: string]: string | number | boolean }
}

/** The worker's program: beside this module, in `dist/` and in the development bundle alike. */
const WORKER_URL = new URL('./pglite-worker.js', import.meta.url)

/**
 * PGlite on a worker thread. Its start-up (WebAssembly) runs while the main thread loads
 * the app, and its queries never block the event loop. Requests made before it is ready wait for
 * it; a PostgreSQL error comes back as an `Error` with the same fields (`code`, `constraint`…).
 * The thread keeps the process alive only while a request is pending.
 */
export function startPgliteThread(
  options: PgliteThreadOptions,
  workerUrl: URL = WORKER_URL,
): PgliteClient {
  const worker = new Worker(workerUrl, { workerData: options })
  worker.unref()
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  let nextId = 1
  let stopped: Error | undefined
  let closed = false

  function failAll(error: Error) {
    stopped ??= error
    for (const { reject } of pending.values()) reject(error)
    pending.clear()
    worker.unref()
  }
  worker.on('message', ({ id, result, error }: PgliteReply) => {
    const waiting = pending.get(id)
    if (!waiting) return
    pending.delete(id)
    if (pending.size === 0) worker.unref()
    if (error) waiting.reject(Object.assign(new Error(error.message), error))
    else waiting.resolve(result)
  })
  worker.on('error', (error) =>
    failAll(new Error(`The embedded database stopped: ${error.message}`, { cause: error })),
  )
  worker.on('exit', (code) => failAll(new Error(`The embedded database exited (code ${code})`)))

  function send<T>(request: RequestBody<PgliteRequest>): Promise<T> {
    if (stopped) return Promise.reject(stopped)
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      if (pending.size === 1) worker.ref()
      worker.postMessage({ ...request, id })
    })
  }

  const queriesOn = (tx: number): PgliteQueries => ({
    query: (sql, params = [], { rowMode = 'object', parsers = {} } = {}) =>
      send({ op: 'query', tx, sql, params, rowMode, textTypes: Object.keys(parsers).map(Number) }),
    exec: (sql) => send({ op: 'exec', tx, sql }),
  })

  return {
    ...queriesOn(0),
    async transaction(work) {
      const tx = await send<number>({ op: 'begin' })
      let result: Awaited<ReturnType<typeof work>>
      try {
        result = await work(queriesOn(tx))
      } catch (error) {
        await send({ op: 'end', tx, commit: false })
        throw error
      }
      await send({ op: 'end', tx, commit: true })
      return result
    },
    async close() {
      if (closed) return
      closed = true
      if (!stopped) await send({ op: 'close' })
      await worker.terminate()
    },
    get closed() {
      return closed
    },
  }
}
