import { createLogger } from '../core/logger.ts'
import { openInfrastructure } from '../infrastructure.ts'
import { exitOnStartupError, exitWith, loadConfigOrExit } from '../startup.ts'
import type { Command } from './command.ts'
import { createSuperuserCommand } from './create-superuser.command.ts'
import { makeModuleCommand } from './make-module/make-module.command.ts'
import { migrateCommand } from './migrate.command.ts'
import { openApiCommand } from './openapi.command.ts'
import { seedCommand } from './seed.command.ts'
import { sendTestEmailCommand, sendTestSmsCommand } from './send-test.command.ts'

/** The `food-fleet` command (`npm run cli -- <command>`); each command lives in its own file. */
const commands: Command[] = [
  migrateCommand,
  seedCommand,
  createSuperuserCommand,
  makeModuleCommand,
  sendTestEmailCommand,
  sendTestSmsCommand,
  openApiCommand,
]

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.description}`)
  return `Usage: food-fleet <command> [options]\n\nCommands:\n${lines.join('\n')}\n`
}

const [name, ...args] = process.argv.slice(2)
if (!name || name === 'help' || name === '--help' || name === '-h') {
  process.stdout.write(usage())
  process.exit(name ? 0 : 1)
}
const command = commands.find((candidate) => candidate.name === name)
if (!command) exitWith(`Unknown command "${name}".\n\n${usage()}`)

if ('offline' in command) {
  const code = await command.run(args).catch((error: unknown) => {
    process.stderr.write(`${command.name} failed: ${(error as Error).message}\n`)
    return 1
  })
  process.exit(code ?? 0)
}

const config = loadConfigOrExit()
const logger = createLogger({
  ...config,
  LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
})
if ('configOnly' in command) {
  const code = await command.run(args, config, logger).catch((error: unknown) => {
    process.stderr.write(`${command.name} failed: ${(error as Error).message}\n`)
    return 1
  })
  process.exit(code ?? 0)
}
const infrastructure = await openInfrastructure(config, logger, 'cli', {
  migrate: command.migrateFirst,
}).catch(exitOnStartupError)
let exitCode = 0
try {
  exitCode = (await command.run(args, infrastructure.deps)) ?? 0
} catch (error) {
  process.stderr.write(`${command.name} failed: ${(error as Error).message}\n`)
  exitCode = 1
} finally {
  await infrastructure.close()
}
process.exit(exitCode)
