import { SMTPServer } from 'smtp-server'
import { freePort } from './process.ts'

export interface SmtpSink {
  url: string
  /** Raw MIME of every message accepted, in order. */
  messages: string[]
  /** The next `count` messages are refused with a temporary error (451). */
  refuseNext(count: number): void
  close(): Promise<void>
}

/** A real SMTP server in the test process that keeps what it is sent. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: string[] = []
  let refusals = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (refusals > 0) {
          refusals -= 1
          const error = Object.assign(new Error('Try again later'), { responseCode: 451 })
          callback(error)
          return
        }
        messages.push(Buffer.concat(chunks).toString('utf8'))
        callback()
      })
    },
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseNext(count) {
      refusals = count
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
