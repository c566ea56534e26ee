// `npm run bench:console`: how long the admin console's products screen takes to show its first
// page, with 1,000 products, in Debian's Chromium, against the built server (dist/ and
// web/dist, production mode; embedded database, or DATABASE_URL when set). Prints each try and
// the median against the budget: 1 s from the click to the first page on screen.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { launchChromium } from './chromium.mjs'
import { APP, ROOT, startServer, stopServer } from './lib.mjs'
import { adminUser, benchAppEnv, createBenchDatabase, seed } from './scenarios.mjs'

const TRIES = 7
const BUDGET_MS = 1000

execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' })
const database = process.env.DATABASE_URL
  ? await createBenchDatabase(process.env.DATABASE_URL)
  : undefined
const server = await startServer(
  APP,
  benchAppEnv(randomBytes(32).toString('hex'), database ? { DATABASE_URL: database.url } : {}),
)
const browser = await launchChromium()
try {
  await seed(server)
  const times = []
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${server.url}/admin/`)
    await page.getByLabel('E-mail').fill(adminUser.email)
    await page.getByRole('textbox', { name: 'Password' }).fill(adminUser.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Dashboard', level: 2 }).waitFor()
    // A person on the dashboard for a moment: its data and the other screens' code are loaded.
    await page.waitForLoadState('networkidle')
    const started = performance.now()
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Products' })
      .click()
    await page.getByRole('row').nth(20).waitFor()
    times.push(performance.now() - started)
    await context.close()
  }
  const sorted = [...times].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]
  console.log(
    `Food Fleet console bench: products screen, first page of 20 of 1,000 products, ${TRIES} tries (${database ? 'PostgreSQL' : 'embedded PGlite'})`,
  )
  console.log(`tries (ms): ${times.map((ms) => ms.toFixed(0)).join(', ')}`)
  console.log(
    `median ${median.toFixed(0)} ms, best ${sorted[0].toFixed(0)} ms, worst ${sorted.at(-1).toFixed(0)} ms — budget ${BUDGET_MS} ms: ${median <= BUDGET_MS ? 'met' : 'NOT MET'}`,
  )
} finally {
  await browser.close()
  await stopServer(server)
  await database?.drop()
}
