import { createModuleContext, createServices, seedModules } from '../core/module.ts'
import { modules } from '../modules/index.ts'
import type { Command } from './command.ts'

export const seedCommand: Command = {
  name: 'seed',
  description: 'Create the permissions, system roles and configured superuser (idempotent)',
  migrateFirst: true,
  async run(_args, deps) {
    const context = createModuleContext(deps)
    await seedModules(modules, createServices(context, modules), context)
    process.stdout.write('Seed data is in place\n')
    return 0
  },
}
