import type { DatabaseCommand } from './command.ts'

export const migrateCommand: DatabaseCommand = {
  name: 'migrate',
  description: 'Apply pending database migrations (safe to run from several processes at once)',
  migrateFirst: false,
  async run(_args, { database }) {
    const started = performance.now()
    await database.migrate()
    process.stdout.write(`Migrations applied in ${Math.round(performance.now() - started)} ms\n`)
    return 0
  },
}
