/**
 * The embedded database's thread (started by `startPgliteThread`): PGlite runs here, so its
 * start-up and its queries — synchronous WebAssembly — never hold the HTTP event loop, and the
 * database starts while the main thread loads the app. PGlite runs the `PgliteRequest`s one at a
 * time, in the order they come, as it does on one thread.
 */
import { inspect } from 'node:util'
import { parentPort, workerData } from 'node:worker_threads'
import {
  messages as backend,
  PGlite,
  protocol,
  type Results,
  type Transaction,
  types,
} from '@electric-sql/pglite'
import type { PgliteReply, PgliteRequest, PgliteThreadOptions } from './pglite-thread.ts'
import { unpackTarGz } from './tarball.ts'

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
if (options.template) await unpackTarGz(options.template, options.dataDir)
const client = options.loadDataDir
  ? new PGlite({ loadDataDir: new Blob([options.loadDataDir]), startParams })
  : new PGlite(options.dataDir, { startParams })
const transactions = new Map<number, OpenTransaction>()

const parsersKeeping = new Map<string, typeof client.parsers>()

/**
 * PGlite's parsers, but for the types Drizzle keeps as text (they cross as the list of those
 * types). Built once for each list: a query names one of a few.
 */
function parsersKeepingAsText(types: number[]): typeof client.parsers {
  const key = types.join()
  let parsers = parsersKeeping.get(key)
  if (!parsers) {
    const asText = (value: string) => value
    parsers = { ...client.parsers, ...Object.fromEntries(types.map((type) => [type, asText])) }
    parsersKeeping.set(key, parsers)
  }
  return parsers
}

/** A statement parsed once, by name: later runs only bind and execute it. */
interface NamedStatement {
  name: string
  paramTypes: number[]
  fields: { name: string; dataTypeID: number }[]
}

/** The most statements kept parsed; past it the least recently used is closed. */
const MAX_STATEMENTS = 500
const statements = new Map<string, NamedStatement>()
let statementsMade = 0
const { serialize } = protocol

function joined(messages: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(messages.reduce((length, message) => length + message.length, 0))
  let offset = 0
  for (const message of messages) {
    bytes.set(message, offset)
    offset += message.length
  }
  return bytes
}

/** Parses and describes `sql` as a named statement, the first time it is run. */
async function statementFor(sql: string): Promise<NamedStatement> {
  const known = statements.get(sql)
  if (known) {
    // Most recently used last: the first entry is the one to close.
    statements.delete(sql)
    statements.set(sql, known)
    return known
  }
  const name = `ff_${++statementsMade}`
  const closing: Uint8Array[] = []
  if (statements.size >= MAX_STATEMENTS) {
    const [oldest, statement] = statements.entries().next().value as [string, NamedStatement]
    statements.delete(oldest)
    closing.push(serialize.close({ type: 'S', name: statement.name }))
  }
  const { messages } = await client.execProtocol(
    joined([
      ...closing,
      serialize.parse({ name, text: sql, types: [] }),
      serialize.describe({ type: 'S', name }),
      serialize.sync(),
    ]),
    { syncToFs: false },
  )
  let statement: NamedStatement = { name, paramTypes: [], fields: [] }
  for (const message of messages) {
    if (message instanceof backend.ParameterDescriptionMessage) {
      statement = { ...statement, paramTypes: message.dataTypeIDs }
    } else if (message instanceof backend.RowDescriptionMessage) {
      const { fields } = message
      statement = {
        ...statement,
        fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
      }
    }
  }
  statements.set(sql, statement)
  return statement
}

async function executeNamed(statement: NamedStatement, params: unknown[]) {
  const values = params.map((value, index) => {
    if (value === null || value === undefined) return null
    const serializer = client.serializers[statement.paramTypes[index] ?? 0]
    return serializer ? serializer(value) : String(value)
  })
  const { messages } = await client.execProtocol(
    joined([
      serialize.bind({ statement: statement.name, values }),
      serialize.execute({}),
      serialize.sync(),
    ]),
    { syncToFs: false },
  )
  return messages
}

/**
 * What `PGlite.query` answers, for a fraction of its work: PGlite parses, plans and describes
 * every query anew, in five calls into WebAssembly; here a query is parsed once as a named
 * statement and then bound and executed in one call. Values are serialized and rows parsed with
 * PGlite's own type handlers.
 */
async function runNamed<T>(
  sql: string,
  params: unknown[],
  rowMode: 'array' | 'object',
  textTypes: number[],
): Promise<Results<T>> {
  let statement = await statementFor(sql)
  const messages = await executeNamed(statement, params).catch(async (error: unknown) => {
    // A table changed under it by a query (a migration): closed, parsed again, run once more.
    if ((error as { code?: unknown }).code !== '0A000') throw error
    statements.delete(sql)
    await client.execProtocol(
      joined([serialize.close({ type: 'S', name: statement.name }), serialize.sync()]),
      { syncToFs: false },
    )
    statement = await statementFor(sql)
    return executeNamed(statement, params)
  })
  const parsers = parsersKeepingAsText(textTypes)
  const { fields } = statement
  const rows: unknown[] = []
  let affectedRows = 0
  for (const message of messages) {
    if (message instanceof backend.DataRowMessage) {
      const parsed = message.fields.map((cell, index) =>
        types.parseType(cell, fields[index]?.dataTypeID ?? 0, parsers),
      )
      rows.push(
        rowMode === 'array'
          ? parsed
          : Object.fromEntries(parsed.map((value, index) => [fields[index]?.name, value])),
      )
    } else if (message instanceof backend.CommandCompleteMessage) {
      const [command = '', ...rest] = message.text.split(' ')
      if (['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(command)) {
        affectedRows += Number.parseInt(rest.at(-1) ?? '0', 10)
      }
    }
  }
  return { rows: rows as T[], fields, affectedRows }
}

/** PGlite's own lock that keeps a query out of an open transaction (not in its typings). */
const exclusiveOfTransactions = <T>(work: () => Promise<T>): Promise<T> =>
  (
    client as unknown as { _runExclusiveTransaction(work: () => Promise<T>): Promise<T> }
  )._runExclusiveTransaction(work)

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
    case 'query': {
      const { tx, sql, params, rowMode, textTypes } = request
      // Start-up takes PGlite's locks: it is waited for before taking them.
      await client.waitReady
      const run = () => runNamed(sql, params, rowMode, textTypes)
      if (tx !== 0) {
        on(tx) // refuses a transaction that is not open
        return client.runExclusive(run)
      }
      // As `PGlite.query` does: not inside another caller's open transaction.
      const result = await exclusiveOfTransactions(() => client.runExclusive(run))
      await client.syncToFs()
      return result
    }
    case 'exec': {
      const results = await on(request.tx).exec(request.sql)
      // A schema change may change what a parsed statement answers: they are parsed again.
      if (statements.size > 0) {
        statements.clear()
        await on(request.tx).exec('DEALLOCATE ALL')
      }
      return results
    }
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
