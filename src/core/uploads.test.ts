import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { contentDisposition, sanitizeFilename, UploadInspector } from './uploads.ts'

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6])

async function inspect(chunks: Buffer[], maxBytes = 1000, allowed = ['image/png']) {
  const inspector = new UploadInspector(allowed, maxBytes)
  const passed: Buffer[] = []
  await pipeline(Readable.from(chunks), inspector, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) passed.push(chunk)
  })
  return { result: inspector.result(), passed: Buffer.concat(passed) }
}

describe('UploadInspector', () => {
  it('recognises a signature split over one-byte chunks and passes every byte on', async () => {
    const { result, passed } = await inspect([...PNG].map((byte) => Buffer.from([byte])))
    expect(result).toMatchObject({ contentType: 'image/png', size: PNG.length })
    expect(passed.equals(PNG)).toBe(true)
  })

  it('lets no byte through before the type is decided', async () => {
    const text = Buffer.from('plain text that is not a png at all')
    const passed: Buffer[] = []
    const run = pipeline(
      Readable.from([text]),
      new UploadInspector(['image/png'], 1000),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) passed.push(chunk)
      },
    )
    await expect(run).rejects.toMatchObject({ status: 415 })
    expect(passed).toEqual([])
  })

  it('fails at the first byte past the limit', async () => {
    await expect(inspect([PNG], PNG.length - 1)).rejects.toMatchObject({ status: 413 })
    await expect(inspect([PNG], PNG.length)).resolves.toBeTruthy()
  })

  it('recognises only the allowed types', async () => {
    await expect(inspect([PNG], 1000, ['application/pdf'])).rejects.toMatchObject({ status: 415 })
  })
})

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\evil.png', 'evil.png'],
    ['a\0b\u0001c.png', 'abc.png'],
    ['  spaced   out .png  ', 'spaced out .png'],
    ['..', 'file'],
    ['/', 'file'],
    [undefined, 'file'],
    ['e\u0301te.png', 'éte.png'],
  ])('%j → %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected)
  })

  it('keeps at most 255 characters (not bytes), with the extension', () => {
    const name = sanitizeFilename(`${'日'.repeat(300)}.pdf`)
    expect([...name]).toHaveLength(255)
    expect(name.endsWith('日.pdf')).toBe(true)
  })
})

describe('contentDisposition', () => {
  it('cannot be broken out of by quotes, backslashes, semicolons or line breaks', () => {
    const header = contentDisposition('a"b\\c;d\r\ne%.png')
    expect(header).toBe(
      `attachment; filename="a_b_c_d__e_.png"; filename*=UTF-8''a%22b%5Cc%3Bd%0D%0Ae%25.png`,
    )
  })

  it('encodes the characters RFC 8187 reserves', () => {
    expect(contentDisposition("it's (1)*.pdf")).toContain(
      "filename*=UTF-8''it%27s%20%281%29%2A.pdf",
    )
  })
})
