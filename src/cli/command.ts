import type { AppDeps } from '../core/deps.ts'

export interface Command {
  name: string
  description: string
  /** Apply pending migrations before running (every command that touches tables does). */
  migrateFirst: boolean
  run(args: string[], deps: AppDeps): Promise<number | undefined>
}
