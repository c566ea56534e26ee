import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { defineError } from './errors.ts'

/** A file type recognised by its first bytes (magic number), never by its name or declared type. */
interface Signature {
  type: string
  matches(head: Buffer): boolean
}

const startsWith =
  (...bytes: number[]) =>
  (head: Buffer) =>
    head.length >= bytes.length && bytes.every((byte, index) => head[index] === byte)

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0))

const SIGNATURES: Signature[] = [
  { type: 'image/jpeg', matches: startsWith(0xff, 0xd8, 0xff) },
  {
    type: 'image/png',
    matches: startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  },
  { type: 'application/pdf', matches: startsWith(...ascii('%PDF-')) },
  {
    type: 'image/gif',
    matches: (head) => startsWith(...ascii('GIF87a'))(head) || startsWith(...ascii('GIF89a'))(head),
  },
  {
    type: 'image/webp',
    matches: (head) =>
      startsWith(...ascii('RIFF'))(head) && head.subarray(8, 12).toString('latin1') === 'WEBP',
  },
]

/** Every type uploads can recognise; `ALLOWED_UPLOAD_TYPES` picks from these. */
export const UPLOAD_TYPES = SIGNATURES.map((signature) => signature.type)

/** Enough bytes to tell every signature apart. */
const SNIFF_BYTES = 12

export const fileTooLarge = defineError(413, 'payload_too_large', (maxBytes: number) => ({
  detail: `A file may be at most ${maxBytes} bytes (${+(maxBytes / 1048576).toFixed(2)} MiB)`,
  max_bytes: maxBytes,
}))

export const unsupportedFileType = defineError(
  415,
  'unsupported_media_type',
  (allowed: readonly string[]) => ({
    detail: `The file's content is not one of the accepted types: ${allowed.join(', ')}`,
    allowed_types: allowed,
  }),
)

export interface InspectedFile {
  contentType: string
  size: number
  sha256: string
}

/**
 * Passes an upload through while checking it: the type is decided from its first bytes before
 * any byte goes further (an unrecognised file never reaches storage), the stream fails as soon
 * as it passes `maxBytes`, and the SHA-256 is computed on the way. `result()` is valid once it has ended.
 */
export class UploadInspector extends Transform {
  #size = 0
  #hash = createHash('sha256')
  #held: Buffer[] = []
  #signature: Signature | undefined

  constructor(
    private readonly allowed: readonly string[],
    private readonly maxBytes: number,
  ) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#size += chunk.length
    if (this.#size > this.maxBytes) {
      done(fileTooLarge(this.maxBytes))
    } else if (this.#signature) {
      this.#hash.update(chunk)
      done(null, chunk)
    } else {
      this.#hash.update(chunk)
      this.#held.push(chunk)
      const head = Buffer.concat(this.#held)
      if (head.length < SNIFF_BYTES) done()
      else this.#decide(head, done)
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.#signature) done()
    else this.#decide(Buffer.concat(this.#held), done)
  }

  #decide(head: Buffer, done: TransformCallback): void {
    const signature = SIGNATURES.find(
      (candidate) => this.allowed.includes(candidate.type) && candidate.matches(head),
    )
    if (!signature) {
      done(unsupportedFileType(this.allowed))
      return
    }
    this.#signature = signature
    this.#held = []
    done(null, head)
  }

  result(): InspectedFile {
    if (!this.#signature) throw new Error('the upload has not been inspected to its end')
    return {
      contentType: this.#signature.type,
      size: this.#size,
      sha256: this.#hash.digest('hex'),
    }
  }
}

const MAX_NAME_LENGTH = 255

/**
 * The client's file name as safe metadata: no directories, no control characters (NUL cannot
 * even be stored), no leading dots, Unicode normalised, at most 255 characters with the
 * extension kept. It never becomes a path.
 */
export function sanitizeFilename(name: string | undefined): string {
  const base = (name ?? '').normalize('NFC').split(/[/\\]/).pop() ?? ''
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+/, '')
    .trim()
  const characters = [...cleaned]
  if (characters.length === 0) return 'file'
  if (characters.length <= MAX_NAME_LENGTH) return cleaned
  const dot = cleaned.lastIndexOf('.')
  const extension = dot > 0 ? [...cleaned.slice(dot)].slice(0, 16) : []
  return [...characters.slice(0, MAX_NAME_LENGTH - extension.length), ...extension].join('')
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback name and the exact UTF-8 name
 * (RFC 6266 / RFC 8187), so no name can break out of the header.
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
