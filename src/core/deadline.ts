/**
 * `work`'s outcome, or a rejection with `expired()` if `timeoutMs` pass first. The work itself
 * goes on (nothing here can stop it); a failure it meets after the deadline is ignored.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  expired: () => Error,
): Promise<T> {
  work.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), timeoutMs)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
