import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { systemPrincipal } from '../core/auth/access.ts'
import { AppError } from '../core/errors.ts'
import { createModuleContext, createServices } from '../core/module.ts'
import { modules } from '../modules/index.ts'
import type { DatabaseCommand } from './command.ts'

/** Asks on the terminal; the password is not echoed. */
async function ask(question: string, secret = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  if (secret) {
    const write = (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput
    ;(rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text) => {
      write.call(rl, text.startsWith(question) ? question : '')
    }
  }
  const answer = await rl.question(question)
  rl.close()
  if (secret) process.stdout.write('\n')
  return answer.trim()
}

export const createSuperuserCommand: DatabaseCommand = {
  name: 'create-superuser',
  description: 'Create a superuser: --email <e> --password <p> [--username <u>], or asks',
  migrateFirst: true,
  async run(args, deps) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        username: { type: 'string' },
      },
    })
    const email = values.email ?? (await ask('Email: '))
    const password = values.password ?? (await ask('Password: ', true))
    const username = values.username ?? email.split('@')[0]?.replace(/[^A-Za-z0-9_.-]/g, '') ?? ''
    const context = createModuleContext(deps)
    const { usersService } = createServices(context, modules)
    try {
      const user = await usersService.create(systemPrincipal, {
        email,
        username,
        password,
        is_superuser: true,
      })
      process.stdout.write(`Superuser ${user.email} (id ${user.id}) created\n`)
      return 0
    } catch (error) {
      if (error instanceof AppError) {
        process.stderr.write(`Cannot create the superuser: ${error.message}\n`)
        return 1
      }
      throw error
    }
  },
}
