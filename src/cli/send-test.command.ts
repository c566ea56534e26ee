import { parseArgs } from 'node:util'
import { createMailer } from '../core/mail.ts'
import { createSmsSender } from '../core/sms.ts'
import { createTemplates } from '../core/templates.ts'
import type { ConfigCommand } from './command.ts'

function recipient(args: string[], usage: string): string {
  const { values } = parseArgs({ args, options: { to: { type: 'string' } } })
  if (!values.to) throw new Error(`--to is required: ${usage}`)
  return values.to
}

/** The guide's test_email.py: one email through the configured transport, at once (no outbox). */
export const sendTestEmailCommand: ConfigCommand = {
  name: 'send-test-email',
  description: 'Send a test email now through EMAIL_BACKEND and print the message id (--to)',
  configOnly: true,
  async run(args, config, logger) {
    const to = recipient(args, 'send-test-email --to someone@example.com')
    const mailer = createMailer(config, createTemplates(), logger)
    try {
      const { messageId } = await mailer.sendEmail({
        to,
        subject: 'Test Email',
        html: '<h1>Test Email</h1>',
        text: 'Test Email',
      })
      process.stdout.write(`Email sent through ${config.EMAIL_BACKEND}: ${messageId}\n`)
      return 0
    } finally {
      mailer.close()
    }
  },
}

/** The guide's test_sms.py. */
export const sendTestSmsCommand: ConfigCommand = {
  name: 'send-test-sms',
  description: 'Send a test SMS now through SMS_BACKEND and print the message id (--to +E.164)',
  configOnly: true,
  async run(args, config, logger) {
    const to = recipient(args, 'send-test-sms --to +14155550123')
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      throw new Error('--to must be an E.164 number like +14155550123')
    const sms = createSmsSender(config, logger)
    try {
      const { messageId } = await sms.sendSms(to, 'Test SMS from Food Fleet')
      process.stdout.write(`SMS sent through ${config.SMS_BACKEND}: ${messageId}\n`)
      return 0
    } finally {
      sms.close()
    }
  },
}
