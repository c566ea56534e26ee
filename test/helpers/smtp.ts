import { SMTPServer } from 'smtp-server'
import { freePort } from './process.ts'

export interface SmtpSink {
  url: string
  /** Raw MIME of every message accepted, in order. */
  messages: string[]
  /** The next `count` messages are refused with a temporary error (451). */
  refuseNext(count: number): void
  /** Holds every message's final answer until `release()`, as a slow server would. */
  hold(): void
  release(): void
  /** Messages received and waiting for their answer. */
  held(): number
  close(): Promise<void>
}

/** A real SMTP server in the test process that keeps what it is sent. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: string[] = []
  let refusals = 0
  let holding = false
  let waiting: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (holding) {
          waiting.push(() => {
            messages.push(Buffer.concat(chunks).toString('utf8'))
            callback()
          })
          return
        }
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
    hold() {
      holding = true
    },
    release() {
      holding = false
      for (const answer of waiting) answer()
      waiting = []
    },
    held: () => waiting.length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
