import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { systemPrincipal } from '../core/auth/access.ts'
import { AppError } from '../core/errors.ts'
import { createModuleContext, createServices } from '../core/module.ts'
import { modules } from '../modules/index.ts'
import type { DatabaseCommand } from './command.ts'

/** Asks on the terminal, echoing the answer. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  try {
    return (await rl.question(question)).trim()
  } finally {
    rl.close()
  }
}

/** Asks on the terminal without echoing what is typed (raw mode: Enter ends, Ctrl-C cancels). */
function askHidden(question: string): Promise<string> {
  const { stdin, stdout } = process
  stdout.write(question)
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  stdin.resume()
  let answer = ''
  return new Promise<string>((resolve, reject) => {
    const done = (error?: Error) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      stdout.write('\n')
      if (error) reject(error)
      else resolve(answer)
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new Error('cancelled'))
        answer = char === '\u007f' || char === '\b' ? answer.slice(0, -1) : answer + char
      }
    }
    stdin.on('data', onData)
  })
}

/** The email and password: from the terminal (the password asked twice), or lines of a pipe. */
async function readCredentials(): Promise<{ email: string; password: string } | string> {
  if (process.stdin.isTTY) {
    const email = await ask('Email: ')
    const password = await askHidden('Password: ')
    if ((await askHidden('Password again: ')) !== password) return 'the passwords do not match'
    return { email, password }
  }
  const lines: string[] = []
  for await (const line of createInterface({ input: process.stdin, terminal: false })) {
    lines.push(line)
    if (lines.length === 2) break
  }
  const [email, password] = lines
  if (!email?.trim() || !password) {
    return 'expected the email and the password on standard input, one per line (or pass --email and --password)'
  }
  return { email: email.trim(), password }
}

export const createSuperuserCommand: DatabaseCommand = {
  name: 'create-superuser',
  description:
    'Create a superuser: --email <e> --password <p> [--username <u>], or asks (a pipe gives email and password, one per line)',
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
    let { email, password } = values
    if (email === undefined || password === undefined) {
      const read = await readCredentials().catch((error: Error) => error.message)
      if (typeof read === 'string') {
        process.stderr.write(`Cannot create the superuser: ${read}\n`)
        return 1
      }
      email ??= read.email
      password ??= read.password
    }
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
