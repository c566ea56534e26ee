import { parseArgs } from 'node:util'
import { createModuleContext, createServices, seedModules } from '../core/module.ts'
import { modules } from '../modules/index.ts'
import type { DatabaseCommand } from './command.ts'

export const seedCommand: DatabaseCommand = {
  name: 'seed',
  description:
    'Create the permissions, system roles and configured superuser; --demo adds a demo catalogue (idempotent)',
  migrateFirst: true,
  async run(args, deps) {
    const { values } = parseArgs({ args, options: { demo: { type: 'boolean', default: false } } })
    const context = createModuleContext(deps)
    const services = createServices(context, modules)
    await seedModules(modules, services, context)
    process.stdout.write('Seed data is in place\n')
    if (values.demo) {
      const demo = await services.productsService.seedDemo()
      process.stdout.write(
        `Demo catalogue: ${demo.categories} categories, ${demo.products} products added\n`,
      )
    }
    return 0
  },
}
