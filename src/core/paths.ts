import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project root (where `package.json` and `migrations/` live), found by walking up from this
 * file, so it is right from `src/`, from `dist/` and from a bundled development build alike.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'migrations', 'meta', '_journal.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('Cannot find the Food Fleet project root (migrations/)')
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findRoot()
