import type { components } from './schema.ts'

export type Tokens = components['schemas']['Tokens']

/** Where a session keeps its tokens. */
export interface TokenStorage {
  load(): Tokens | undefined
  /** `undefined` forgets them. */
  save(tokens: Tokens | undefined): void
}

/** In this process only (the default): a page reload or a restart signs out. */
export function memoryStorage(): TokenStorage {
  let tokens: Tokens | undefined
  return {
    load: () => tokens,
    save(next) {
      tokens = next
    },
  }
}

/** What `webStorage` needs of a Web Storage (`localStorage`, `sessionStorage`). */
export interface WebStorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * In a browser's `localStorage` (or another Web Storage), under `key`: the session survives
 * reloads and is shared by the tabs of one origin.
 */
export function webStorage(
  key = 'food-fleet.tokens',
  storage = (globalThis as { localStorage?: WebStorageLike }).localStorage,
): TokenStorage {
  if (!storage) throw new Error('webStorage needs a Web Storage: there is no localStorage here')
  return {
    load() {
      const saved = storage.getItem(key)
      if (!saved) return undefined
      try {
        return JSON.parse(saved) as Tokens
      } catch {
        return undefined
      }
    },
    save(tokens) {
      if (tokens) storage.setItem(key, JSON.stringify(tokens))
      else storage.removeItem(key)
    },
  }
}
