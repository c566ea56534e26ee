/**
 * The embedded database's thread (started by `startPgliteThread`): PGlite runs here, so its
 * start-up and its queries — synchronous WebAssembly — never hold the HTTP event loop, and the
 * database starts while the main thread loads the app. PGlite runs the `PgliteRequest`s one at a
 * time, in the order they come, as it does on one thread.
 */
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import type { PgliteReply, PgliteRequest, PgliteThreadOptions } from './pglite-thread.ts'

/** Rejects a transaction's callback so that PGlite rolls it back. */
class RollingBack extends Error {}

interface OpenTransaction {
  tx: Transaction
  end(commit: boolean): void
  settled: Promise<unknown>
}

const port = parentPort
if (!port) throw new Error('pglite-worker.ts runs as a worker thread (see pglite-thread.ts)')
const options = workerData as PgliteThreadOptions
/**
 * PostgreSQL's default shared buffers would all be allocated in PGlite's WebAssembly memory at
 * start, as resident memory; the files are cached by the operating system anyway.
 */
const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']
const client = options.loadDataDir
  ? new PGlite({ loadDataDir: new Blob([options.loadDataDir]), startParams })
  : new PGlite(options.dataDir, {
      loadDataDir: options.template
        ? new Blob([readFileSync(options.template)], { type: 'application/gzip' })
        : undefined,
      startParams,
    })
const transactions = new Map<number, OpenTransaction>()

/** Drizzle's parsers only keep some types as text: they cross as the list of those types. */
function keepingAsText(types: number[]) {
  return Object.fromEntries(types.map((type) => [type, (value: string) => value]))
}

function on(tx: number) {
  if (tx === 0) return client
  const open = transactions.get(tx)
  if (!open) throw new Error(`transaction ${tx} is not open`)
  return open.tx
}

/** Opens a transaction; its id (the `begin` request's) names it in later requests. */
function begin(id: number): Promise<number> {
  return new Promise((started, failed) => {
    const settled = client
      .transaction(
        (tx) =>
          new Promise((commit, rollBack) => {
            transactions.set(id, {
              tx,
              end: (ok) => (ok ? commit(null) : rollBack(new RollingBack())),
              settled,
            })
            started(id)
          }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof RollingBack)) throw error
      })
      .finally(() => transactions.delete(id))
    settled.catch(failed)
  })
}

async function end(tx: number, commit: boolean): Promise<null> {
  const open = transactions.get(tx)
  if (!open) throw new Error(`transaction ${tx} is not open`)
  open.end(commit)
  await open.settled
  return null
}

async function handle(request: PgliteRequest): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return on(request.tx).query(request.sql, request.params, {
        rowMode: request.rowMode,
        parsers: keepingAsText(request.textTypes),
      })
    case 'exec':
      return on(request.tx).exec(request.sql)
    case 'begin':
      return begin(request.id)
    case 'end':
      return end(request.tx, request.commit)
    case 'close':
      // One that never started has nothing to write back.
      if (client.ready && !client.closed) await client.close()
      return null
  }
}

/** What a PostgreSQL error says (code, constraint, detail…): its plain fields cross the thread. */
function errorFields(error: unknown): NonNullable<PgliteReply['error']> {
  // Emscripten's file system throws plain objects: say what they hold.
  if (!(error instanceof Error)) return { name: 'Error', message: inspect(error, { depth: 1 }) }
  const fields: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(error)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value
  }
  return { ...fields, name: error.name, message: error.message }
}

port.on('message', (request: PgliteRequest) => {
  handle(request).then(
    (result) => port.postMessage({ id: request.id, result } satisfies PgliteReply),
    (error: unknown) => port.postMessage({ id: request.id, error: errorFields(error) }),
  )
})
