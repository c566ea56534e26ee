import { parseArgs } from 'node:util'
import type { Config } from '../config.ts'
import type { Logger } from '../core/logger.ts'
import { createMailer } from '../core/mail.ts'
import { createSmsSender } from '../core/sms.ts'
import { createTemplates } from '../core/templates.ts'
import type { ConfigCommand } from './command.ts'

/** A command that sends one message now through the configured transport (no outbox). */
function sendTestCommand<Transport extends { close(): void }>(spec: {
  name: string
  description: string
  /** What is sent, as the printed line names it. */
  message: 'Email' | 'SMS'
  backend: 'EMAIL_BACKEND' | 'SMS_BACKEND'
  example: string
  /** Why `to` cannot be a recipient, if it cannot. */
  refuse?: (to: string) => string | undefined
  open(config: Config, logger: Logger): Transport
  send(transport: Transport, to: string): Promise<{ messageId: string }>
}): ConfigCommand {
  return {
    name: spec.name,
    description: spec.description,
    configOnly: true,
    async run(args, config, logger) {
      const { values } = parseArgs({ args, options: { to: { type: 'string' } } })
      if (!values.to) throw new Error(`--to is required: ${spec.name} --to ${spec.example}`)
      const refusal = spec.refuse?.(values.to)
      if (refusal) throw new Error(refusal)
      const transport = spec.open(config, logger)
      try {
        const { messageId } = await spec.send(transport, values.to)
        process.stdout.write(`${spec.message} sent through ${config[spec.backend]}: ${messageId}\n`)
        return 0
      } finally {
        transport.close()
      }
    },
  }
}

/** The guide's test_email.py. */
export const sendTestEmailCommand = sendTestCommand({
  name: 'send-test-email',
  description: 'Send a test email now through EMAIL_BACKEND and print the message id (--to)',
  message: 'Email',
  backend: 'EMAIL_BACKEND',
  example: 'someone@example.com',
  open: (config, logger) => createMailer(config, createTemplates(), logger),
  send: (mailer, to) =>
    mailer.sendEmail({
      to,
      subject: 'Test Email',
      html: '<h1>Test Email</h1>',
      text: 'Test Email',
    }),
})

/** The guide's test_sms.py. */
export const sendTestSmsCommand = sendTestCommand({
  name: 'send-test-sms',
  description: 'Send a test SMS now through SMS_BACKEND and print the message id (--to +E.164)',
  message: 'SMS',
  backend: 'SMS_BACKEND',
  example: '+14155550123',
  refuse: (to) =>
    /^\+[1-9]\d{6,14}$/.test(to) ? undefined : '--to must be an E.164 number like +14155550123',
  open: createSmsSender,
  send: (sms, to) => sms.sendSms(to, 'Test SMS from Food Fleet'),
})
