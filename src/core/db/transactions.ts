import type { Database } from './database.ts'

type AfterCommit = () => Promise<void>

/** The work to run once each open transaction (made by `repositoryOf`) has committed. */
const afterCommit = new WeakMap<object, AfterCommit[]>()

/**
 * Runs `work` once `db`'s transaction has committed — at once when `db` is not a transaction.
 * For what must only happen to committed rows: queueing the job that delivers an outbox row.
 * Dropped when the transaction rolls back.
 */
export async function onCommit(db: Database, work: AfterCommit): Promise<void> {
  const pending = afterCommit.get(db)
  if (pending) pending.push(work)
  else await work()
}

/**
 * Makes a repository from its queries: the queries on the database, plus `transaction`, which
 * runs work against the same queries bound to one transaction (committed, or rolled back on throw).
 */
export function repositoryOf<Queries>(db: Database, queries: (db: Database) => Queries) {
  return {
    ...queries(db),
    /** The same queries inside another module's transaction (`tx` from its `transaction`). */
    on: (tx: Database): Queries => queries(tx),
    /** `tx` lets other modules' services write in the same transaction (the outbox does). */
    async transaction<T>(work: (repository: Queries, tx: Database) => Promise<T>): Promise<T> {
      const committed: AfterCommit[] = []
      const result = await db.transaction((tx) => {
        const bound = tx as unknown as Database
        afterCommit.set(bound, committed)
        return work(queries(bound), bound)
      })
      for (const run of committed) await run()
      return result
    },
  }
}
