import { sql } from 'drizzle-orm'

/** Select it beside a page's rows: the size of the whole filtered set, in the same round trip. */
export const windowTotal = () => sql<number>`count(*) over ()`.mapWith(Number)

/**
 * The total of a page read with `windowTotal()`. Past the last page there is no row to carry
 * the window count, so only then is the set counted on its own.
 */
export async function totalOf(
  rows: { total: number }[],
  offset: number,
  countAll: () => Promise<number>,
): Promise<number> {
  if (rows.length > 0 || offset === 0) return rows[0]?.total ?? 0
  return countAll()
}
