import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { silentLogger, testConfig } from '../../test/helpers/app.ts'
import { describeWithMoto, motoEnv } from '../../test/helpers/moto.ts'
import { createSmsSender, maskPhone } from './sms.ts'

describe('SMS in development (SMS_BACKEND=log)', () => {
  it('writes the message to DATA_DIR/sms and only a masked number to the log', async () => {
    const config = testConfig({ SMS_BACKEND: 'log' })
    const lines: string[] = []
    const logger = silentLogger.child({})
    logger.info = ((object: unknown) => {
      lines.push(JSON.stringify(object))
    }) as typeof logger.info
    await createSmsSender(config, logger).sendSms('+14155550123', 'Your code is 493817')
    const [file] = readdirSync(join(config.DATA_DIR, 'sms'))
    expect(readFileSync(join(config.DATA_DIR, 'sms', file as string), 'utf8')).toBe(
      'To: +14155550123\n\nYour code is 493817\n',
    )
    expect(lines.join()).not.toMatch(/493817|4155550123/)
    expect(lines.join()).toContain(maskPhone('+14155550123'))
  })
})

describeWithMoto('SMS through SNS (moto_server)', (moto) => {
  it('publishes to the phone number and answers the SNS message id', async () => {
    const config = testConfig({ ...motoEnv(moto), SMS_BACKEND: 'sns' })
    const sms = createSmsSender(config, silentLogger)
    const { messageId } = await sms.sendSms('+14155550123', 'Your verification code is: 123456')
    sms.close()
    const sent = (await moto.data()).sns?.SMS as {
      message_id: string
      phone_number: string
      message: string
    }[]
    expect(sent).toContainEqual({
      message_id: messageId,
      phone_number: '+14155550123',
      message: 'Your verification code is: 123456',
    })
  })
})
