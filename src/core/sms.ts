import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import { awsClientConfig } from './aws.ts'
import { lazyRequire } from './lazy.ts'
import type { Logger } from './logger.ts'

export interface SmsSender {
  readonly backend: Config['SMS_BACKEND']
  /** The guide's `send_sms`: sends now; resolves to the provider's message id. */
  sendSms(phoneNumber: string, message: string): Promise<{ messageId: string }>
  close(): void
}

type SmsConfig = Pick<
  Config,
  | 'SMS_BACKEND'
  | 'SNS_SMS_TYPE'
  | 'DATA_DIR'
  | 'AWS_REGION'
  | 'AWS_ACCESS_KEY_ID'
  | 'AWS_SECRET_ACCESS_KEY'
  | 'AWS_ENDPOINT_URL'
>

const sns = lazyRequire<typeof import('@aws-sdk/client-sns')>('@aws-sdk/client-sns')

/** +14155550123 → +1415•••0123: enough to tell messages apart in a log. */
export const maskPhone = (phone: string) =>
  phone.length > 8 ? `${phone.slice(0, 5)}•••${phone.slice(-4)}` : '•••'

/**
 * SMS through SNS `Publish` to a phone number with the `SNS_SMS_TYPE` attribute, or `log` for
 * development: the message goes to a file under `DATA_DIR/sms/`, never into the log (it may
 * hold a code).
 */
export function createSmsSender(config: SmsConfig, logger: Logger): SmsSender {
  if (config.SMS_BACKEND === 'sns') {
    const { PublishCommand, SNSClient } = sns()
    const client = new SNSClient(awsClientConfig(config))
    return {
      backend: 'sns',
      async sendSms(phoneNumber, message) {
        const result = await client.send(
          new PublishCommand({
            PhoneNumber: phoneNumber,
            Message: message,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: config.SNS_SMS_TYPE },
            },
          }),
        )
        return { messageId: result.MessageId ?? '' }
      },
      close: () => client.destroy(),
    }
  }
  const smsDir = join(config.DATA_DIR, 'sms')
  return {
    backend: 'log',
    async sendSms(phoneNumber, message) {
      const messageId = randomUUID()
      const file = join(smsDir, `${new Date().toISOString().replaceAll(':', '-')}-${messageId}.txt`)
      await mkdir(smsDir, { recursive: true })
      await writeFile(file, `To: ${phoneNumber}\n\n${message}\n`, { mode: 0o600 })
      logger.info({ to: maskPhone(phoneNumber), file }, 'SMS written (SMS_BACKEND=log)')
      return { messageId }
    },
    close: () => {},
  }
}
