import type { Cache } from '../cache.ts'

/** Whether the login session an access token was issued for is still alive. */
export type SessionCheck = (sessionId: string) => Promise<boolean>

const KEY_PREFIX = 'auth:session:'
/** An answer read from the database is trusted this long; an ended session is told at once. */
const ALIVE_SECONDS = 60

/**
 * Remembers which sessions are alive, in front of the database that decides it, so the check an
 * authenticated request makes costs no round trip in the common case. With Redis every process
 * shares the answers (and keeps in-process copies that Redis invalidates), so a session ended in
 * one process is ended in all of them on their next request.
 *
 * An ended session is written over its entry (`set`), an answer from the database only where
 * there is none (`add`): a read that saw the session alive just before it ended cannot bring it
 * back.
 */
export function createSessionLiveness({
  cache,
  isAlive,
  endedSeconds,
}: {
  cache: Cache
  /** The truth: asks the database. */
  isAlive: SessionCheck
  /** How long an ended session is remembered: the access tokens' lifetime, after which none of its tokens verifies. */
  endedSeconds: number
}) {
  return {
    async check(sessionId: string): Promise<boolean> {
      const key = KEY_PREFIX + sessionId
      const known = await cache.get<boolean>(key)
      if (known !== undefined) return known
      const alive = await isAlive(sessionId)
      await cache.add(key, alive, alive ? ALIVE_SECONDS : endedSeconds)
      return alive
    },

    /** Call after the sessions' end is committed to the database. */
    async ended(sessionIds: Iterable<string>): Promise<void> {
      for (const sessionId of new Set(sessionIds)) {
        await cache.set(KEY_PREFIX + sessionId, false, endedSeconds)
      }
    },
  }
}

export type SessionLiveness = ReturnType<typeof createSessionLiveness>
