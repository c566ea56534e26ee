import type { Config } from '../config.ts'
import type { AppDeps } from '../core/deps.ts'
import type { Logger } from '../core/logger.ts'

interface CommandInfo {
  name: string
  description: string
}

/** A command that works on the database (opened, and locked when embedded, for its run). */
export interface DatabaseCommand extends CommandInfo {
  /** Apply pending migrations before running (every command that touches tables does). */
  migrateFirst: boolean
  run(args: string[], deps: AppDeps): Promise<number | undefined>
}

/** A command that works on the project's files only (code generators). */
export interface ProjectCommand extends CommandInfo {
  offline: true
  run(args: string[]): Promise<number | undefined>
}

/** A command that needs the configuration but no database (it can run beside the app). */
export interface ConfigCommand extends CommandInfo {
  configOnly: true
  run(args: string[], config: Config, logger: Logger): Promise<number | undefined>
}

export type Command = DatabaseCommand | ProjectCommand | ConfigCommand
