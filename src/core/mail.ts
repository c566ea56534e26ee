import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Transporter } from 'nodemailer'
import type { Config } from '../config.ts'
import { awsClientConfig } from './aws.ts'
import { lazyRequire } from './lazy.ts'
import type { Logger } from './logger.ts'
import { htmlToText, type Templates } from './templates.ts'

export interface Attachment {
  filename: string
  /** Bytes, or base64 text (as attachments are kept in the outbox). */
  content: Buffer | string
  encoding?: 'base64'
  contentType?: string
}

/** The guide's `send_email`: at least one of `html` and `text`; `text` is derived when absent. */
export interface EmailMessage {
  to: string | string[]
  subject: string
  html?: string
  text?: string
  attachments?: Attachment[]
}

export interface TemplatedEmail {
  to: string | string[]
  subject: string
  /** A module template, e.g. `users/templates/welcome_email.html`. */
  template: string
  context: Record<string, unknown>
}

export interface Mailer {
  readonly backend: Config['EMAIL_BACKEND']
  /** Sends now; resolves to the provider's message id. */
  sendEmail(message: EmailMessage): Promise<{ messageId: string }>
  /** The guide's `send_templated_email`: renders, then sends. */
  sendTemplatedEmail(email: TemplatedEmail): Promise<{ messageId: string }>
  close(): void
}

type MailConfig = Pick<
  Config,
  | 'EMAIL_BACKEND'
  | 'SMTP_URL'
  | 'SES_SENDER_EMAIL'
  | 'SES_SENDER_NAME'
  | 'DATA_DIR'
  | 'AWS_REGION'
  | 'AWS_ACCESS_KEY_ID'
  | 'AWS_SECRET_ACCESS_KEY'
  | 'AWS_ENDPOINT_URL'
>

const nodemailer = lazyRequire<typeof import('nodemailer')>('nodemailer')
const ses = lazyRequire<typeof import('@aws-sdk/client-sesv2')>('@aws-sdk/client-sesv2')

/** The full message of `log` mail goes to a file: a log line must not carry a reset code. */
function transportFor(config: MailConfig): Transporter {
  const { createTransport } = nodemailer()
  switch (config.EMAIL_BACKEND) {
    case 'ses': {
      const { SESv2Client, SendEmailCommand } = ses()
      return createTransport({
        SES: { sesClient: new SESv2Client(awsClientConfig(config)), SendEmailCommand },
      })
    }
    case 'smtp':
      return createTransport(config.SMTP_URL as string)
    default:
      return createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  }
}

/**
 * Email through nodemailer, the transport chosen by `EMAIL_BACKEND`: SES (v2 API, raw MIME),
 * SMTP, or `log` for development — a summary in the log and the whole `.eml` under
 * `DATA_DIR/mail/`, to open in any mail client.
 */
export function createMailer(config: MailConfig, templates: Templates, logger: Logger): Mailer {
  // Made on the first email: most web processes only queue them.
  let transport: Transporter | undefined
  const from = { name: config.SES_SENDER_NAME, address: config.SES_SENDER_EMAIL }
  const mailDir = join(config.DATA_DIR, 'mail')

  async function sendEmail(message: EmailMessage): Promise<{ messageId: string }> {
    if (message.html === undefined && message.text === undefined) {
      throw new Error('an email needs html or text')
    }
    transport ??= transportFor(config)
    const info = await transport.sendMail({
      from,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text ?? htmlToText(message.html ?? ''),
      attachments: message.attachments,
    })
    if (config.EMAIL_BACKEND === 'ses') return { messageId: String(info.response) }
    if (config.EMAIL_BACKEND === 'log') {
      const file = join(
        mailDir,
        `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID()}.eml`,
      )
      await mkdir(mailDir, { recursive: true })
      await writeFile(file, (info as unknown as { message: Buffer }).message, { mode: 0o600 })
      logger.info(
        { to: message.to, subject: message.subject, file },
        'email written (EMAIL_BACKEND=log)',
      )
    }
    return { messageId: info.messageId }
  }

  return {
    backend: config.EMAIL_BACKEND,
    sendEmail,
    sendTemplatedEmail: ({ template, context, ...rest }) =>
      sendEmail({ ...rest, html: templates.render(template, context) }),
    close: () => transport?.close(),
  }
}
