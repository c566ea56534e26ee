// Notification delivery latency: from the request that causes an email (a registration) to
// the moment SES (moto_server) has accepted it — the outbox row's sent_at. 200 registrations
// at RATE per second (default 20; RATE=0 sends them 8 at a time, back to back); median and p99. Runs on the embedded database with the in-process runner, or on
// PostgreSQL + Redis (BullMQ) when DATABASE_URL and REDIS_URL are set.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2'
import { APP, freePort, startServer, stopServer } from './lib.mjs'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const COUNT = 200
const RATE = Number(process.env.RATE ?? 20)

const motoPort = await freePort()
const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore' })
const motoUrl = `http://127.0.0.1:${motoPort}`
for (let tries = 0; ; tries++) {
  const up = await fetch(`${motoUrl}/moto-api/data.json`).then(
    (response) => response.ok,
    () => false,
  )
  if (up) break
  if (tries > 300) throw new Error('moto_server did not start')
  await new Promise((resolve) => setTimeout(resolve, 100))
}
const aws = {
  region: 'us-east-1',
  endpoint: motoUrl,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
}
const ses = new SESv2Client(aws)
await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'noreply@example.com' }))
ses.destroy()

const admin = { email: 'bench-admin@example.com', password: 'bench-admin-pass-1' }
const { DATABASE_URL, REDIS_URL, ...env } = process.env
process.env = env
const backend =
  DATABASE_URL && REDIS_URL ? 'PostgreSQL + Redis (BullMQ)' : 'PGlite (in-process jobs)'
const server = await startServer(APP, {
  DATA_DIR: mkdtempSync(join(tmpdir(), 'food-fleet-bench-')),
  ...(DATABASE_URL && REDIS_URL
    ? { DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX: `ff-bench-${Date.now()}:` }
    : {}),
  EMAIL_BACKEND: 'ses',
  AWS_ENDPOINT_URL: motoUrl,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  SIGNUP_RATE_LIMIT: '100000/minute',
  LOGIN_RATE_LIMIT: '100000/minute',
  FIRST_SUPERUSER_EMAIL: admin.email,
  FIRST_SUPERUSER_PASSWORD: admin.password,
  LOG_LEVEL: 'warn',
})

const run = `${Date.now()}`
const requestedAt = new Map()
const respondedAt = new Map()
async function register(index) {
  const email = `latency-${run}-${index}@example.com`
  requestedAt.set(email, Date.now())
  const response = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, username: `lat${run}${index}`, password: 'correct-horse-42' }),
  })
  if (response.status !== 201) throw new Error(`register failed: ${response.status}`)
  respondedAt.set(email, Date.now())
}
// Paced: one registration every 1000/RATE ms, as traffic arrives; a saturated server (RATE=0:
// 8 at a time, back to back) delays its own jobs behind its requests.
if (RATE > 0) {
  await Promise.all(
    Array.from({ length: COUNT }, (_, index) =>
      new Promise((resolve) => setTimeout(resolve, (index * 1000) / RATE)).then(() =>
        register(index),
      ),
    ),
  )
} else {
  let next = 0
  const loop = async () => {
    while (next < COUNT) await register(next++)
  }
  await Promise.all(Array.from({ length: 8 }, loop))
}

const login = await fetch(`${server.url}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(admin),
})
const { access_token } = await login.json()
const sentAt = new Map()
const deadline = Date.now() + 120_000
while (sentAt.size < COUNT && Date.now() < deadline) {
  sentAt.clear()
  for (let page = 1; ; page++) {
    const response = await fetch(
      `${server.url}/api/v1/notifications/?status=sent&size=100&page=${page}`,
      {
        headers: { authorization: `Bearer ${access_token}` },
      },
    )
    const body = await response.json()
    for (const row of body.items)
      if (requestedAt.has(row.recipient)) sentAt.set(row.recipient, Date.parse(row.sent_at))
    if (page >= body.pages) break
  }
  if (sentAt.size < COUNT) await new Promise((resolve) => setTimeout(resolve, 250))
}
await stopServer(server)

const received = (await (await fetch(`${motoUrl}/moto-api/data.json`)).json()).ses?.RawMessage ?? []
const atMoto = received.filter((message) => message.raw_data.includes(`latency-${run}-`)).length
moto.kill('SIGTERM')

const sorted = (values) => values.sort((a, b) => a - b)
const quantile = (values, q) => values[Math.min(values.length - 1, Math.floor(q * values.length))]
const since = (from, to) => sorted([...to].map(([email, at]) => at - from.get(email)))
console.log(
  `Notification latency on ${backend}: ${COUNT} welcome emails, ${RATE > 0 ? `${RATE} registrations/s` : '8 registrations at a time, back to back'}`,
)
console.log(`  delivered (outbox sent): ${sentAt.size}/${COUNT}; messages at moto: ${atMoto}`)
for (const [label, values] of [
  ['request sent → accepted by SES', since(requestedAt, sentAt)],
  ['response (201) → accepted by SES', since(respondedAt, sentAt)],
  ['the registration request itself', since(requestedAt, respondedAt)],
]) {
  console.log(`  ${label}: median ${quantile(values, 0.5)} ms, p99 ${quantile(values, 0.99)} ms`)
}
