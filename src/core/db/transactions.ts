import type { Database } from './database.ts'

/**
 * Makes a repository from its queries: the queries on the database, plus `transaction`, which
 * runs work against the same queries bound to one transaction (committed, or rolled back on throw).
 */
export function repositoryOf<Queries>(db: Database, queries: (db: Database) => Queries) {
  return {
    ...queries(db),
    /** `tx` lets other modules' services write in the same transaction (the outbox does). */
    transaction<T>(work: (repository: Queries, tx: Database) => Promise<T>): Promise<T> {
      return db.transaction((tx) => {
        const bound = tx as unknown as Database
        return work(queries(bound), bound)
      })
    },
  }
}
