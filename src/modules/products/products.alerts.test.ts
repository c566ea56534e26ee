import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, everyAction, type TestUser } from '../../../test/helpers/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { until } from '../../../test/helpers/process.ts'
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp.ts'
import { jobHandlersOf } from '../../core/module.ts'
import { modules } from '../index.ts'
import { lowStockDigest } from './products.jobs.ts'

describe('low-stock alerts', () => {
  let sink: SmtpSink
  let shop: TestApp
  let restocker: TestUser
  beforeAll(async () => {
    sink = await startSmtpSink()
    shop = await createTestApp({
      env: { EMAIL_BACKEND: 'smtp', SMTP_URL: sink.url, LOW_STOCK_THRESHOLD: '3' },
    })
    restocker = await createUser(shop, { permissions: everyAction('products', 'categories') })
  })
  afterAll(async () => {
    await shop.close()
    await sink.close()
  })

  const mailAbout = (name: string) =>
    sink.messages.filter(
      (mime) =>
        mime.includes(`To: ${restocker.email}`) && mime.includes(`Subject: Low stock: ${name}`),
    )

  it("e-mails the guide's low_stock_alert.html to holders of products:update, once per crossing", async () => {
    const category = await shop.call('POST', '/categories/', restocker, { name: 'Sides' })
    const fries = (
      await shop.call('POST', '/products/', restocker, {
        name: 'Curly Fries',
        price: 3.5,
        stock: 10,
        category_id: category.json().id,
      })
    ).json()
    expect(
      (await shop.call('PUT', `/products/${fries.id}`, restocker, { stock: 3 })).statusCode,
    ).toBe(200)
    const [mail] = await until(async () =>
      mailAbout('Curly Fries').length > 0 ? mailAbout('Curly Fries') : undefined,
    )
    expect(mail).toContain('Curly Fries: 3 units remaining')
    await shop.call('PUT', `/products/${fries.id}`, restocker, { stock: 1 })
    // The daily digest names every low product, this one included.
    const digest = jobHandlersOf(modules, shop.services, shop.context).find(
      (handler) => handler.type === lowStockDigest,
    )
    await digest?.run({}, { attempt: 1, maxAttempts: 1 })
    await until(async () =>
      sink.messages.some((mime) => mime.includes('Subject: Low stock: 1 products'))
        ? true
        : undefined,
    )
    expect(mailAbout('Curly Fries')).toHaveLength(1)
  })
})
