import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger, testConfig } from '../../test/helpers/app.ts'
import { describeWithMoto, motoClientConfig, motoEnv } from '../../test/helpers/moto.ts'
import { type SmtpSink, startSmtpSink } from '../../test/helpers/smtp.ts'
import { createMailer } from './mail.ts'
import { createTemplates, htmlToText } from './templates.ts'

const templates = createTemplates()

/** The MIME text of a message with quoted-printable soft breaks undone, for plain searching. */
const readable = (mime: string) => mime.replace(/=\r?\n/g, '').replace(/=3D/g, '=')

describe('templates', () => {
  it("renders the guide's low_stock_alert.html unchanged, escaping values", () => {
    const html = templates.render('products/templates/low_stock_alert.html', {
      admin_name: 'Ada <admin>',
      products: [
        { name: 'Veggie Burger', stock: 3 },
        { name: 'Fries & Dip', stock: 1 },
      ],
    })
    expect(html).toContain('<p>Hello Ada &lt;admin&gt;,</p>')
    expect(html).toContain('<li>Fries &amp; Dip: 1 units remaining</li>')
    expect(htmlToText(html)).toBe(
      [
        'Low Stock Alert',
        '',
        'Hello Ada <admin>,',
        '',
        'The following products are running low on stock:',
        '',
        '- Veggie Burger: 3 units remaining',
        '- Fries & Dip: 1 units remaining',
      ].join('\n'),
    )
  })

  it('refuses to render with a variable missing instead of leaving a blank', () => {
    expect(() =>
      templates.render('users/templates/welcome_email.html', { username: 'ada' }),
    ).toThrow('template users/templates/welcome_email.html needs login_url')
    expect(() => templates.renderText('Your code is {{ code }}', {})).toThrow(
      'template (text) needs code',
    )
  })

  it('formats money with two decimals', () => {
    expect(templates.renderText('{{ price | money }}', { price: 5 })).toBe('5.00')
  })
})

describe('email over SMTP (a real server in this process)', () => {
  let sink: SmtpSink
  beforeAll(async () => {
    sink = await startSmtpSink()
  })
  afterAll(() => sink.close())

  it('sends a templated email with its HTML, a derived text part and an attachment', async () => {
    const config = testConfig({ EMAIL_BACKEND: 'smtp', SMTP_URL: sink.url })
    const mailer = createMailer(config, templates, silentLogger)
    const { messageId } = await mailer.sendEmail({
      to: 'ada@example.com',
      subject: 'Your monthly report',
      html: templates.render('users/templates/welcome_email.html', {
        username: 'ada',
        login_url: 'https://app.example.com/login',
      }),
      attachments: [{ filename: 'report.pdf', content: Buffer.from('%PDF-1.7 report') }],
    })
    mailer.close()
    expect(messageId).toMatch(/^<.+>$/)
    const mime = readable(sink.messages.at(-1) ?? '')
    expect(mime).toContain('Subject: Your monthly report')
    expect(mime).toContain('From: Food Fleet <noreply@example.com>')
    expect(mime).toContain('Content-Type: text/plain')
    expect(mime).toContain('Sign in (https://app.example.com/login) to get started.')
    expect(mime).toContain('<h1>Welcome, ada!</h1>')
    expect(mime).toContain('filename=report.pdf')
  })
})

describe('email in development (EMAIL_BACKEND=log)', () => {
  it('writes the whole message to DATA_DIR/mail and only a summary to the log', async () => {
    const config = testConfig({ EMAIL_BACKEND: 'log' })
    const lines: string[] = []
    const logger = silentLogger.child({})
    logger.info = ((object: unknown, message: string) => {
      lines.push(JSON.stringify({ object, message }))
    }) as typeof logger.info
    const mailer = createMailer(config, templates, logger)
    await mailer.sendEmail({ to: 'ada@example.com', subject: 'Code', text: 'Your code is 493817' })
    const [file] = readdirSync(join(config.DATA_DIR, 'mail'))
    expect(readFileSync(join(config.DATA_DIR, 'mail', file as string), 'utf8')).toContain(
      'Your code is 493817',
    )
    expect(lines.join('\n')).not.toContain('493817')
    expect(lines.join('\n')).toContain('ada@example.com')
  })
})

describeWithMoto('email through SES (moto_server)', (moto) => {
  it('sends raw MIME through SESv2 and answers the SES message id', async () => {
    const config = testConfig({ ...motoEnv(moto), EMAIL_BACKEND: 'ses' })
    const ses = new SESv2Client(motoClientConfig(moto))
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: config.SES_SENDER_EMAIL }))
    ses.destroy()
    const mailer = createMailer(config, templates, silentLogger)
    const { messageId } = await mailer.sendTemplatedEmail({
      to: 'ada@example.com',
      subject: 'Welcome to Our Platform',
      template: 'users/templates/welcome_email.html',
      context: { username: 'ada', login_url: 'https://app.example.com/login' },
    })
    mailer.close()
    const sent = (await moto.data()).ses?.RawMessage as { id: string; raw_data: string }[]
    expect(sent.map((message) => message.id)).toContain(messageId)
    const raw = readable(sent.find((message) => message.id === messageId)?.raw_data ?? '')
    expect(raw).toContain('Subject: Welcome to Our Platform')
    expect(raw).toContain('<h1>Welcome, ada!</h1>')
  })
})
