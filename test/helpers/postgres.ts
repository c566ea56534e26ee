import pg from 'pg'

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url.replace(/^postgres(ql)?\+[a-z0-9]+:/i, 'postgresql:'))
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}
