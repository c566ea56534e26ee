import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from '../bench/chromium.mjs'
import { buildConsole } from '../bin/launch.mjs'
import { systemPrincipal } from '../src/core/auth/access.ts'
import { products } from '../src/modules/products/products.models.ts'
import { productsCache } from '../src/modules/products/products.service.ts'
import { createUser, PASSWORD, type TestUser } from './helpers/accounts.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { ROOT, until } from './helpers/process.ts'
import { type SmtpSink, startSmtpSink } from './helpers/smtp.ts'

// The admin console as people use it: the built console served by the app at /admin/, driven
// in Debian's Chromium, on whichever database the run has (embedded, or DATABASE_URL).
const SCREENSHOTS = join(ROOT, 'test-results', 'console')
const missing = !existsSync(CHROMIUM) && !process.env.CI
if (missing) console.warn(`skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`)

let t: TestApp
let sink: SmtpSink
let browser: Browser
let base: string
let admin: TestUser
/** Console errors and uncaught exceptions of every page, by page. */
const consoleErrors: string[] = []

beforeAll(async () => {
  buildConsole()
  sink = await startSmtpSink()
  t = await createTestApp({
    env: {
      EMAIL_BACKEND: 'smtp',
      SMTP_URL: sink.url,
      LOW_STOCK_THRESHOLD: '5',
      // Every sign-in of the run comes from one address.
      LOGIN_IP_RATE_LIMIT: '1000/minute',
      LOGIN_RATE_LIMIT: '1000/minute',
    },
  })
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  const address = t.app.server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  browser = await launchChromium()
  admin = await createUser(t, { superuser: true })
  mkdirSync(SCREENSHOTS, { recursive: true })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await t?.close()
  await sink?.close()
})

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport, acceptDownloads: true })
  const page = await context.newPage()
  // A step that cannot happen fails at that step, well inside the test's own time.
  page.setDefaultTimeout(10_000)
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`))
  return page
}

/** Signs in on the sign-in page; then, unless a code is asked for, waits for the dashboard. */
async function signIn(page: Page, email: string, { password = PASSWORD, code = false } = {}) {
  await page.goto(`${base}/admin/`)
  await page.getByLabel('E-mail').fill(email)
  await page.getByRole('textbox', { name: 'Password' }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  if (!code) await page.getByRole('heading', { name: 'Dashboard', level: 2 }).waitFor()
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' })

/** A screenshot, then axe: no serious or critical violation. */
async function audit(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
  const results = await new AxeBuilder({ page }).analyze()
  const grave = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.nodes.map((node) => `${node.target} ${node.failureSummary}`).join('; ')}`,
    )
  expect(grave, name).toEqual([])
}

/** The text of the newest SMS written to the log sink for `phone`. */
function lastSmsTo(phone: string): string | undefined {
  const dir = join(t.deps.config.DATA_DIR, 'sms')
  if (!existsSync(dir)) return undefined
  const header = `To: ${phone}\n\n`
  const texts = readdirSync(dir)
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .filter((text) => text.startsWith(header))
  return texts.at(-1)?.slice(header.length)
}

const SCREENS = [
  ['Dashboard', 'Dashboard'],
  ['Products', 'Products'],
  ['Categories', 'Categories'],
  ['Users', 'Users'],
  ['Roles', 'Roles and permissions'],
  ['SMS templates', 'SMS templates'],
  ['Notifications', 'Notifications'],
  ['Files', 'Files'],
  ['Profile', 'Profile'],
] as const

describe.skipIf(missing)('admin console', () => {
  it('serves the console with its headers, and the sign-in page passes axe', async () => {
    const index = await fetch(`${base}/admin/products`)
    expect(index.status).toBe(200)
    expect(index.headers.get('cache-control')).toBe('no-cache')
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'")
    const script = (await index.text()).match(/src="(\/admin\/assets\/[^"]+\.js)"/)?.[1]
    const asset = await fetch(`${base}${script}`)
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${base}/admin/assets/gone-1234.js`)).status).toBe(404)
    const page = await newPage()
    await page.goto(`${base}/admin/`)
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await audit(page, 'sign-in')
  })

  it('signs a superuser in to every screen, each accessible and usable on a phone', async () => {
    const page = await newPage()
    await signIn(page, admin.email)
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    for (const [link, heading] of SCREENS) {
      await nav(page).getByRole('link', { name: link, exact: true }).click()
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor()
      await page.getByLabel('Loading').waitFor({ state: 'detached' })
      await audit(page, link.toLowerCase().replaceAll(' ', '-'))
    }
    const phone = await newPage({ width: 390, height: 844 })
    await signIn(phone, admin.email)
    for (const [link, heading] of SCREENS) {
      await phone.goto(
        `${base}/admin/${link === 'Dashboard' ? '' : link.toLowerCase().replaceAll(' ', '-')}`,
      )
      await phone.getByRole('heading', { name: heading, level: 2 }).waitFor()
      const overflow = await phone.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      )
      expect(overflow, `${link} scrolls sideways on a phone`).toBeLessThanOrEqual(0)
    }
    await phone.getByRole('button', { name: 'Menu' }).click()
    await nav(phone).getByRole('link', { name: 'Products', exact: true }).click()
    await phone.getByRole('heading', { name: 'Products', level: 2 }).waitFor()
  }, 120_000)

  it('signs in with two-factor sign-in, the code read from the SMS sink', async () => {
    const user = await createUser(t)
    const phone = '+14155550177'
    await t.services.usersService.updateProfile(user.id, { phone_number: phone })
    await t.services.usersService.setTwoFactor(user.id, true)
    const page = await newPage()
    await signIn(page, user.email, { code: true })
    await page.getByLabel('Code from the SMS').waitFor()
    const code = (await until(async () => lastSmsTo(phone)))?.match(/\d{6}/)?.[0] as string
    await page.getByLabel('Code from the SMS').fill(code)
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
  })

  it('creates a category and a product, finds it, and a stock edit in place alerts by e-mail', async () => {
    const page = await newPage()
    await signIn(page, admin.email)
    await nav(page).getByRole('link', { name: 'Categories', exact: true }).click()
    await page.getByRole('button', { name: 'New category' }).click()
    await page.getByLabel('Name').fill('Street Food')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('cell', { name: 'Street Food', exact: true }).waitFor()

    await nav(page).getByRole('link', { name: 'Products', exact: true }).click()
    await page.getByRole('button', { name: 'New product' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Name').fill('Bao Buns')
    await dialog.getByRole('combobox', { name: 'Category' }).click()
    await page.getByRole('option', { name: 'Street Food' }).click()
    await dialog.getByLabel('Price').fill('6.5')
    await dialog.getByLabel('Stock').fill('30')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByLabel('Search').fill('bao')
    await page.getByRole('cell', { name: 'Bao Buns', exact: true }).waitFor()

    const stock = page.getByLabel('Stock of Bao Buns')
    await stock.fill('2')
    await stock.press('Enter')
    const mail = await until(async () =>
      sink.messages.find((mime) => mime.includes('Subject: Low stock: Bao Buns')),
    )
    expect(mail).toContain('Bao Buns: 2 units remaining')
    await nav(page).getByRole('link', { name: 'Dashboard', exact: true }).click()
    await page.getByRole('cell', { name: 'Bao Buns', exact: true }).waitFor()
  })

  it('edits the password_reset SMS template, with a live preview, and the next reset SMS uses it', async () => {
    const page = await newPage()
    await signIn(page, admin.email)
    await nav(page).getByRole('link', { name: 'SMS templates', exact: true }).click()
    await page.getByRole('button', { name: 'Edit password_reset' }).click()
    const text = page.getByRole('dialog').getByLabel('Text')
    await text.fill('Food Fleet console reset: {{ code }}')
    await expect(page.getByTestId('sms-preview').textContent()).resolves.toBe(
      'Food Fleet console reset: 482913',
    )
    await expect(page.getByTestId('sms-length').textContent()).resolves.toBe(
      '32 characters, 1 segment',
    )
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })

    const user = await createUser(t)
    const phone = '+14155550178'
    await t.services.usersService.updateProfile(user.id, { phone_number: phone })
    const reset = await fetch(`${base}/api/v1/auth/password-reset/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email }),
    })
    expect(reset.status).toBe(202)
    const sms = await until(async () => lastSmsTo(phone))
    expect(sms).toMatch(/Food Fleet console reset: \d{6}/)
  })

  it('takes a menu entry away from a user when their role loses the permission', async () => {
    const role = await t.services.rolesService.createRole(systemPrincipal, {
      name: 'clerks',
      permission_ids: await permissionIds(['products:update', 'notifications:read']),
    })
    const clerk = await createUser(t)
    await t.services.usersService.update(systemPrincipal, clerk.id, { role_id: role.id })
    const clerkPage = await newPage()
    await signIn(clerkPage, clerk.email)
    await nav(clerkPage).getByRole('link', { name: 'Notifications', exact: true }).waitFor()
    expect(await nav(clerkPage).getByRole('link', { name: 'Users' }).count()).toBe(0)

    const page = await newPage()
    await signIn(page, admin.email)
    await nav(page).getByRole('link', { name: 'Roles', exact: true }).click()
    const box = page.getByRole('checkbox', { name: 'clerks: notifications:read' })
    await expect(box.isChecked()).resolves.toBe(true)
    // Controlled by the server's answer: it changes once the revoke is saved.
    await box.click()
    await until(async () => ((await box.isChecked()) ? undefined : true))

    await clerkPage.reload()
    await nav(clerkPage).getByRole('link', { name: 'Products', exact: true }).waitFor()
    expect(await nav(clerkPage).getByRole('link', { name: 'Notifications' }).count()).toBe(0)
  })

  it('uploads a file, lists it and downloads it back', async () => {
    const page = await newPage()
    await signIn(page, admin.email)
    await nav(page).getByRole('link', { name: 'Files', exact: true }).click()
    const content = Buffer.from('%PDF-1.4\nmenu of the day\n')
    await page.getByLabel('File to upload').setInputFiles({
      name: 'menu.pdf',
      mimeType: 'application/pdf',
      buffer: content,
    })
    await page.getByRole('cell', { name: 'menu.pdf', exact: true }).waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download menu.pdf' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('menu.pdf')
    expect(readFileSync(await download.path())).toEqual(content)
  })

  it('pages through 1,000 products from the server', async () => {
    const category = await t.services.productsService.createCategory({ name: 'Bulk' })
    await t.deps.database.db.insert(products).values(
      Array.from({ length: 1000 }, (_, index) => ({
        name: `Bulk product ${String(index).padStart(4, '0')}`,
        price: '4.50',
        stock: 100,
        categoryId: category.id,
      })),
    )
    // Written behind the service's back: the cached lists are dropped as its writes drop them.
    await t.deps.cache.delete(productsCache.lists.group)
    const page = await newPage()
    await signIn(page, admin.email)
    await nav(page).getByRole('link', { name: 'Products', exact: true }).click()
    await page.getByRole('combobox', { name: 'Category' }).click()
    await page.getByRole('option', { name: 'Bulk' }).click()
    await page.getByText('1000 products').waitFor()
    await page.getByRole('button', { name: 'Page 50' }).click()
    await page.getByRole('cell', { name: 'Bulk product 0999', exact: true }).waitFor()
    expect(await page.getByRole('row').count()).toBe(21)
    await audit(page, 'products-1000')
    // The dashboard once the other tests have left stock, messages and users behind.
    await nav(page).getByRole('link', { name: 'Dashboard', exact: true }).click()
    await page.getByRole('img', { name: /Notifications per day/ }).waitFor()
    await audit(page, 'dashboard-in-use')
  })

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([])
  })
})

async function permissionIds(names: string[]): Promise<number[]> {
  const all = await t.services.rolesService.listPermissions()
  return names.map((name) => all.find((permission) => permission.name === name)?.id as number)
}
