import { randomBytes } from 'node:crypto'

export interface Part {
  field: string
  /** A file part when set (may be empty); a text field otherwise. */
  filename?: string
  contentType?: string
  content: Buffer | string
}

/** A multipart/form-data body built by hand, so tests control every byte (names, types). */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----food-fleet-${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.field}"`
        : `form-data; name="${part.field}"; filename="${part.filename}"`
    const head = [`--${boundary}`, `Content-Disposition: ${disposition}`]
    if (part.filename !== undefined) {
      head.push(`Content-Type: ${part.contentType ?? 'application/octet-stream'}`)
    }
    chunks.push(
      Buffer.from(`${head.join('\r\n')}\r\n\r\n`),
      Buffer.from(part.content),
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Files whose first bytes are those of their type, padded with random bytes to `size`. */
export const MIB = 1024 * 1024

export const sample = {
  png: (size = 256) => padded(Buffer.from(PNG_SIGNATURE), size),
  jpeg: (size = 256) => padded(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]), size),
  pdf: (size = 256) => padded(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), size),
  gif: (size = 256) => padded(Buffer.from('GIF89a', 'latin1'), size),
  text: (size = 256) => Buffer.alloc(size, 'just some text, not an image\n'),
}

function padded(head: Buffer, size: number): Buffer {
  if (size < head.length) return head.subarray(0, size)
  return Buffer.concat([head, randomBytes(size - head.length)])
}
