/**
 * A page and the size of the whole filtered set, read side by side (two pool connections on
 * PostgreSQL). A window count (`count(*) over ()`) saves a round trip but makes PostgreSQL
 * build and sort every matching row in full before it cuts the page, where the page plus an
 * index-only count read only what they return.
 */
export async function pageWithTotal<Row>(
  rows: PromiseLike<Row[]>,
  counted: PromiseLike<{ total: number }[]>,
): Promise<{ rows: Row[]; total: number }> {
  const [page, [count]] = await Promise.all([rows, counted])
  return { rows: page, total: count?.total ?? 0 }
}
