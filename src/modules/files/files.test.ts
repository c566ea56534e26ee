import { createHash } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createUser, type TestUser } from '../../../test/helpers/accounts.ts'
import {
  createTestApp,
  fetchOverHttp,
  recordingLogger,
  type TestApp,
} from '../../../test/helpers/app.ts'
import { MIB, multipart, type Part, sample } from '../../../test/helpers/multipart.ts'
import { systemPrincipal } from '../../core/auth/access.ts'

let t: TestApp
let owner: TestUser
let stranger: TestUser
const log = recordingLogger('info')
beforeAll(async () => {
  t = await createTestApp({ logger: log.logger })
  owner = await createUser(t)
  stranger = await createUser(t)
})
afterAll(() => t.close())

/** Every test leaves the store as it found it: nothing recorded, nothing on disk. */
afterEach(async () => {
  const { items } = await t.services.filesService.page(systemPrincipal, 1, 100)
  for (const file of items) await t.services.filesService.delete(systemPrincipal, file.id)
  expect(storedObjects()).toEqual([])
})

function storedObjects(dir = t.deps.config.UPLOAD_DIR): string[] {
  let found: string[] = []
  try {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      found = statSync(path).isDirectory() ? found.concat(storedObjects(path)) : [...found, path]
    }
  } catch {
    return found
  }
  return found
}

async function recordedFiles() {
  return (await t.services.filesService.page(systemPrincipal, 1, 100)).total
}

function upload(parts: Part[], who: TestUser | null = owner, url = '/api/v1/files/') {
  const { payload, headers } = multipart(parts)
  return t.app.inject({ method: 'POST', url, payload, headers: { ...headers, ...who?.headers } })
}

const call = (method: 'GET' | 'DELETE', url: string, who: TestUser) =>
  t.app.inject({ method, url, headers: who.headers })

const oneFile = (content: Buffer, filename = 'photo.png', contentType = 'image/png') =>
  upload([{ field: 'file', filename, contentType, content }])

describe('upload', () => {
  it('stores a PNG and answers its record, with the type decided by content', async () => {
    const content = sample.png(1000)
    const response = await oneFile(content, 'menu.png')
    expect(response.statusCode, response.body).toBe(201)
    const body = response.json()
    expect(body).toMatchObject({
      filename: 'menu.png',
      content_type: 'image/png',
      size: 1000,
      owner_id: owner.id,
      sha256: createHash('sha256').update(content).digest('hex'),
    })
    expect(Date.parse(body.created_at)).not.toBeNaN()
    expect(storedObjects()).toHaveLength(1)
  })

  it.each([
    ['JPEG', sample.jpeg(), 'image/jpeg'],
    ['PDF', sample.pdf(), 'application/pdf'],
  ])('accepts a %s', async (_name, content, type) => {
    const response = await oneFile(content, 'doc', 'application/octet-stream')
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json().content_type).toBe(type)
  })

  it('records a PNG renamed .pdf and declared as a PDF as the PNG it is', async () => {
    const response = await oneFile(sample.png(), 'invoice.pdf', 'application/pdf')
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json()).toMatchObject({ filename: 'invoice.pdf', content_type: 'image/png' })
  })

  it.each([
    ['a text file named .png', sample.text(), 'notes.png'],
    ['a GIF (not in the allowed set)', sample.gif(), 'anim.gif'],
    ['an empty file', Buffer.alloc(0), 'empty.png'],
    ['a file shorter than any signature', Buffer.from([0x89, 0x50]), 'short.png'],
  ])('refuses %s with 415 and stores nothing', async (_name, content, filename) => {
    const response = await oneFile(content, filename, 'image/png')
    expect(response.statusCode, response.body).toBe(415)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({
      code: 'unsupported_media_type',
      allowed_types: ['image/jpeg', 'image/png', 'application/pdf'],
    })
    expect(await recordedFiles()).toBe(0)
  })

  it('accepts a file of exactly MAX_UPLOAD_MB and refuses one byte more with 413', async () => {
    const exact = await oneFile(sample.png(5 * MIB))
    expect(exact.statusCode, exact.body).toBe(201)
    expect(exact.json().size).toBe(5 * MIB)
    await t.services.filesService.delete(systemPrincipal, exact.json().id)

    const over = await oneFile(sample.png(5 * MIB + 1))
    expect(over.statusCode, over.body).toBe(413)
    expect(over.json()).toMatchObject({ code: 'payload_too_large', max_bytes: 5 * MIB })
    expect(await recordedFiles()).toBe(0)
  })

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['a\0b.png', 'ab.png'],
    ['/absolute/path/x.png', 'x.png'],
    ['...hidden.png', 'hidden.png'],
    ['tab\there\u0007.png', 'tabhere.png'],
    ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
    ['café ☕ 日本.png', 'café ☕ 日本.png'],
    ['', 'file'],
  ])('keeps the name %j only as metadata: %j', async (name, expected) => {
    const response = await oneFile(sample.png(), name)
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json().filename).toBe(expected)
    const [stored] = storedObjects()
    expect(stored?.startsWith(`${t.deps.config.UPLOAD_DIR}/`)).toBe(true)
    expect(stored).toMatch(/\/[0-9a-f]{2}\/[0-9a-f-]{36}$/)
  })

  it('cuts a 300-character name to 255, keeping the extension', async () => {
    const response = await oneFile(sample.png(), `${'x'.repeat(296)}.png`)
    expect(response.statusCode, response.body).toBe(201)
    const { filename } = response.json()
    expect([...filename]).toHaveLength(255)
    expect(filename.endsWith('.png')).toBe(true)
  })

  it('answers 415 to a body that is not multipart', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/files/',
      payload: { file: 'aGVsbG8=' },
      headers: owner.headers,
    })
    expect(response.statusCode, response.body).toBe(415)
  })

  it('answers 400 to a broken multipart body', async () => {
    const { payload, headers } = multipart([
      { field: 'file', filename: 'a.png', content: sample.png() },
    ])
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/files/',
      payload: payload.subarray(0, payload.length - 30),
      headers: { ...headers, ...owner.headers },
    })
    expect(response.statusCode, response.body).toBe(400)
    expect(response.json().code).toBe('malformed_request')
    expect(await recordedFiles()).toBe(0)
  })

  it.each([
    ['no file at all', [{ field: 'note', content: 'hello' }], 'file'],
    [
      'a file in another field',
      [{ field: 'image', filename: 'a.png', content: sample.png() }],
      'image',
    ],
    [
      'two files',
      [
        { field: 'file', filename: 'a.png', content: sample.png() },
        { field: 'file', filename: 'b.png', content: sample.png() },
      ],
      'file',
    ],
  ])('answers 422 to %s and stores nothing', async (_name, parts, field) => {
    const response = await upload(parts as Part[])
    expect(response.statusCode, response.body).toBe(422)
    expect(response.json().errors).toEqual([expect.objectContaining({ field })])
    expect(await recordedFiles()).toBe(0)
  })

  it('needs a signed-in user', async () => {
    expect(
      (await upload([{ field: 'file', filename: 'a.png', content: sample.png() }], null))
        .statusCode,
    ).toBe(401)
  })
})

describe('batch upload', () => {
  const batch = (parts: Part[]) => upload(parts, owner, '/api/v1/files/batch')
  const file = (content: Buffer, filename = 'a.png'): Part => ({
    field: 'files',
    filename,
    content,
  })

  it('stores every file and answers them in order', async () => {
    const response = await batch([
      file(sample.png(), 'a.png'),
      file(sample.jpeg(), 'b.jpg'),
      file(sample.pdf(), 'c.pdf'),
    ])
    expect(response.statusCode, response.body).toBe(201)
    expect(
      response
        .json()
        .files.map((f: { filename: string; content_type: string }) => [f.filename, f.content_type]),
    ).toEqual([
      ['a.png', 'image/png'],
      ['b.jpg', 'image/jpeg'],
      ['c.pdf', 'application/pdf'],
    ])
    expect(storedObjects()).toHaveLength(3)
  })

  it.each([
    [
      'the last file is not allowed',
      [file(sample.png()), file(sample.png()), file(sample.text(), 'x.png')],
      415,
    ],
    [
      'the second file is too large',
      [file(sample.png()), file(sample.png(5 * MIB + 1)), file(sample.png())],
      413,
    ],
    [
      'there are more than MAX_UPLOAD_FILES files',
      Array.from({ length: 11 }, () => file(sample.png())),
      422,
    ],
  ])('stores nothing when %s', async (_name, parts, status) => {
    const response = await batch(parts)
    expect(response.statusCode, response.body).toBe(status)
    expect(await recordedFiles()).toBe(0)
    expect(storedObjects()).toEqual([])
  })
})

describe('download, list and delete', () => {
  async function uploaded(content = sample.png(), filename = 'menu.png') {
    const response = await oneFile(content, filename)
    expect(response.statusCode, response.body).toBe(201)
    return response.json() as { id: number }
  }

  it('gives the owner the bytes with their type, length and a safe Content-Disposition', async () => {
    const content = sample.jpeg(4096)
    const { id } = await uploaded(content, 'Menü spécial; a=b.jpg')
    const response = await call('GET', `/api/v1/files/${id}`, owner)
    expect(response.statusCode).toBe(200)
    expect(response.rawPayload.equals(content)).toBe(true)
    expect(response.headers['content-type']).toBe('image/jpeg')
    expect(response.headers['content-length']).toBe('4096')
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="Men_ sp_cial_ a=b.jpg"; filename*=UTF-8''Men%C3%BC%20sp%C3%A9cial%3B%20a%3Db.jpg`,
    )
  })

  it('serves whole downloads over real connections, logging no error for them', async () => {
    const content = sample.pdf(300_000)
    const { id } = await uploaded(content, 'menu.pdf')
    log.lines.length = 0
    const downloads = await fetchOverHttp(t, `/api/v1/files/${id}`, owner.headers)
    for (const download of downloads) {
      expect(download.status).toBe(200)
      expect(download.body.equals(content)).toBe(true)
    }
    expect(log.lines.filter((line) => line.level >= 40 || /stream/.test(line.msg))).toEqual([])
  })

  it("answers 404 for another user's file, as for one that does not exist", async () => {
    const { id } = await uploaded()
    for (const method of ['GET', 'DELETE'] as const) {
      const theirs = await call(method, `/api/v1/files/${id}`, stranger)
      const missing = await call(method, '/api/v1/files/999999', stranger)
      expect(theirs.statusCode).toBe(404)
      expect(missing.statusCode).toBe(404)
      expect(theirs.json().detail).toBe(`File with ID ${id} not found`)
    }
    const list = await call('GET', '/api/v1/files/', stranger)
    expect(list.json()).toMatchObject({ items: [], total: 0 })
  })

  it('lets files:read read and files:delete delete any file', async () => {
    const { id } = await uploaded()
    const reader = await createUser(t, { permissions: ['files:read'] })
    const deleter = await createUser(t, { permissions: ['files:delete'] })
    const read = await call('GET', `/api/v1/files/${id}`, reader)
    expect(read.statusCode).toBe(200)
    const listed = await call('GET', '/api/v1/files/', reader)
    expect(listed.json().items.map((f: { id: number }) => f.id)).toEqual([id])
    const readerDelete = await call('DELETE', `/api/v1/files/${id}`, reader)
    expect(readerDelete.statusCode).toBe(404)
    const deleted = await call('DELETE', `/api/v1/files/${id}`, deleter)
    expect(deleted.statusCode).toBe(204)
  })

  it('lists the owner’s files newest first and deletes record and bytes', async () => {
    const first = await uploaded()
    const second = await uploaded(sample.pdf(), 'b.pdf')
    const list = await call('GET', '/api/v1/files/?size=1', owner)
    expect(list.json()).toMatchObject({ total: 2, pages: 2, size: 1, items: [{ id: second.id }] })

    const deleted = await call('DELETE', `/api/v1/files/${first.id}`, owner)
    expect(deleted.statusCode).toBe(204)
    expect(storedObjects()).toHaveLength(1)
    const again = await call('GET', `/api/v1/files/${first.id}`, owner)
    expect(again.statusCode).toBe(404)
  })
})
