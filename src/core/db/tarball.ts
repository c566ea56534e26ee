import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { createGunzip } from 'node:zlib'

const BLOCK = 512

/** The file being written: its bytes still to come, then the padding to the next block. */
interface OpenEntry {
  fd: number | undefined
  left: number
  padding: number
}

/**
 * Unpacks a gzipped tarball of directories and regular files (what PGlite's `dumpDataDir` writes)
 * into `dir`, a block at a time: PGlite's own `loadDataDir` holds the whole unpacked database in
 * memory, several copies at once. It is unpacked beside `dir` and renamed into place only when
 * whole (gzip's checksum checked), so a start stopped half-way leaves no half database behind.
 */
export async function unpackTarGz(file: string, dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} is not empty: a database is unpacked only into a new directory`)
  }
  const partial = `${dir}.unpacking`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  try {
    await unpackInto(file, partial)
    rmSync(dir, { recursive: true, force: true })
    renameSync(partial, dir)
  } catch (error) {
    rmSync(partial, { recursive: true, force: true })
    throw error
  }
}

async function unpackInto(file: string, root: string): Promise<void> {
  let header = Buffer.alloc(0)
  let entry: OpenEntry | undefined
  let ended = false
  try {
    for await (const chunk of createReadStream(file).pipe(
      createGunzip(),
    ) as AsyncIterable<Buffer>) {
      let offset = 0
      while (offset < chunk.length && !ended) {
        if (entry) {
          offset += writeEntry(entry, chunk, offset)
        } else {
          const taken = Math.min(BLOCK - header.length, chunk.length - offset)
          header = Buffer.concat([header, chunk.subarray(offset, offset + taken)])
          offset += taken
          if (header.length < BLOCK) continue
          if (header.every((byte) => byte === 0)) ended = true
          else entry = openEntry(header, root)
          header = Buffer.alloc(0)
        }
        if (entry && entry.left === 0 && entry.padding === 0) entry = closeEntry(entry)
      }
    }
  } finally {
    if (entry) closeEntry(entry)
  }
  if (!ended || entry) throw new Error(`${file} ends before its last file`)
}

/** Writes (or, for padding, skips) what `chunk` holds of the entry from `offset`; returns its length. */
function writeEntry(entry: OpenEntry, chunk: Buffer, offset: number): number {
  const available = chunk.length - offset
  if (entry.left > 0) {
    const length = Math.min(entry.left, available)
    if (entry.fd !== undefined) writeSync(entry.fd, chunk, offset, length)
    entry.left -= length
    return length
  }
  const length = Math.min(entry.padding, available)
  entry.padding -= length
  return length
}

function closeEntry(entry: OpenEntry): undefined {
  if (entry.fd !== undefined) closeSync(entry.fd)
  entry.fd = undefined
  return undefined
}

const text = (header: Buffer, start: number, length: number) => {
  const field = header.subarray(start, start + length)
  const end = field.indexOf(0)
  return field.subarray(0, end === -1 ? length : end).toString('utf8')
}
const octal = (header: Buffer, start: number, length: number) =>
  Number.parseInt(text(header, start, length).trim() || '0', 8)

/** Creates what a ustar header names, inside `root` only; a file is opened for its bytes. */
function openEntry(header: Buffer, root: string): OpenEntry {
  const prefix = text(header, 345, 155)
  const name = `${prefix ? `${prefix}/` : ''}${text(header, 0, 100)}`.replace(/^\/+/, '')
  const target = join(root, name)
  if (!target.startsWith(root + sep))
    throw new Error(`tarball entry outside its directory: ${name}`)
  const mode = octal(header, 100, 8) & 0o777
  const size = octal(header, 124, 12)
  const type = String.fromCharCode(header[156] ?? 0)
  const padding = (BLOCK - (size % BLOCK)) % BLOCK
  if (type === '5') {
    mkdirSync(target, { recursive: true, mode })
    return { fd: undefined, left: 0, padding: 0 }
  }
  if (type !== '0' && type !== '\0') throw new Error(`tarball entry of unsupported type: ${name}`)
  mkdirSync(dirname(target), { recursive: true })
  return { fd: openSync(target, 'w', mode), left: size, padding }
}
