import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIB } from './helpers/multipart.ts'
import {
  cleanEnv,
  freePort,
  type Started,
  startProcess,
  waitForHealthy,
} from './helpers/process.ts'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

let server: Started
let port: number
let dataDir: string
let token: string

/** Starts a new peak-memory measurement: the kernel's high-water mark drops to the current RSS. */
function resetPeakRss(): number {
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5')
  return peakRssMib()
}

/** Peak resident memory of the server process since the last reset, in MiB. */
function peakRssMib(): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024
}

function storedFiles(dir = join(dataDir, 'uploads')): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
  } catch {
    return []
  }
}

interface StreamedUpload {
  status: number
  body: string
  /** Bytes written before the server answered. */
  sentWhenAnswered: number
  connection: string | undefined
}

/**
 * Sends a multipart upload of `size` bytes (a PNG signature, then filler) as a stream, chunk by
 * chunk, the way a client on a real connection does; stops sending once the server answers.
 * `abortAfter` cuts the connection after that many bytes instead.
 */
function streamUpload(size: number, { abortAfter }: { abortAfter?: number } = {}) {
  const boundary = `----stream${randomBytes(6).toString('hex')}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n` +
      'Content-Type: image/png\r\n\r\n',
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const filler = randomBytes(256 * 1024)
  return new Promise<StreamedUpload>((resolve, reject) => {
    let sent = 0
    let answered = false
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/files/',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + size + tail.length,
      },
    })
    req.on('response', (response) => {
      answered = true
      const sentWhenAnswered = sent
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        body += chunk
      })
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          sentWhenAnswered,
          connection: response.headers.connection,
        }),
      )
    })
    req.on('error', (error) => {
      if (abortAfter !== undefined || answered) return
      reject(error)
    })
    req.write(head)
    let remaining = size
    let first = true
    const pump = () => {
      while (remaining > 0 && !answered) {
        if (abortAfter !== undefined && sent >= abortAfter) {
          req.destroy()
          resolve({ status: 0, body: '', sentWhenAnswered: sent, connection: undefined })
          return
        }
        const piece = first ? Buffer.concat([PNG_SIGNATURE, filler]) : filler
        first = false
        const chunk = piece.subarray(0, Math.min(piece.length, remaining))
        remaining -= chunk.length
        sent += chunk.length
        if (!req.write(chunk)) {
          req.once('drain', pump)
          return
        }
      }
      if (remaining === 0 && !answered) req.end(tail)
    }
    pump()
  })
}

async function api(path: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

async function listFiles() {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/files/`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return (await response.json()) as { total: number }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-uploads-'))
  port = await freePort()
  server = startProcess(
    ['bin/start.mjs'],
    cleanEnv({
      DATA_DIR: dataDir,
      PORT: String(port),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
    }),
  )
  await waitForHealthy(port, 60_000)
  const credentials = { email: 'uploader@example.com', password: 'correct-horse-42' }
  expect(
    (await api('/api/v1/auth/register', { ...credentials, username: 'uploader' })).status,
  ).toBe(201)
  const login = await api('/api/v1/auth/login', credentials)
  token = login.json.access_token as string
}, 90_000)

afterAll(async () => {
  server.child.kill('SIGTERM')
  await server.exited
})

describe('uploads over a real connection', () => {
  it('cuts off a 200 MB upload at the limit with 413, its memory flat, and keeps nothing', async () => {
    const before = resetPeakRss()
    const result = await streamUpload(200 * MIB)
    expect(result.status, result.body).toBe(413)
    expect(JSON.parse(result.body)).toMatchObject({ code: 'payload_too_large' })
    // Answered once the limit was passed, long before the client could send it all.
    expect(result.sentWhenAnswered).toBeLessThan(50 * MIB)
    // …and closed the connection rather than read the rest.
    expect(result.connection).toBe('close')
    expect(peakRssMib() - before).toBeLessThan(32)
    expect(storedFiles()).toEqual([])
    expect((await listFiles()).total).toBe(0)
  })

  it('keeps nothing of an upload whose client goes away half-way', async () => {
    await streamUpload(4 * MIB, { abortAfter: 2 * MIB })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(storedFiles()).toEqual([])
    expect((await listFiles()).total).toBe(0)
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
  })

  it('accepts 20 concurrent 4 MB uploads without holding them in memory', async () => {
    const before = resetPeakRss()
    const results = await Promise.all(Array.from({ length: 20 }, () => streamUpload(4 * MIB)))
    expect(results.map((result) => result.status)).toEqual(Array(20).fill(201))
    expect(storedFiles()).toHaveLength(20)
    expect((await listFiles()).total).toBe(20)
    // 80 MB went in; buffering it would show here.
    expect(peakRssMib() - before).toBeLessThan(48)
  })
})
