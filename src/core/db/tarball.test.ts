import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { unpackTarGz } from './tarball.ts'

interface Entry {
  name: string
  type?: '0' | '5' | '2'
  mode?: number
  data?: Buffer
}

/** A ustar archive, as PGlite's `dumpDataDir` writes one: a header block, then the padded bytes. */
function tar(entries: Entry[], { end = true } = {}): Buffer {
  const blocks: Buffer[] = []
  for (const { name, type = '0', mode = 0o600, data = Buffer.alloc(0) } of entries) {
    const header = Buffer.alloc(512)
    header.write(name, 0, 100)
    header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100)
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124)
    header.write(type, 156)
    header.write('ustar\0', 257)
    header.write('        ', 148)
    const sum = header.reduce((total, byte) => total + byte, 0)
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  if (end) blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

describe('unpackTarGz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-tarball-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let made = 0
  const archive = (bytes: Buffer) => {
    const file = join(dir, `archive-${++made}.tar.gz`)
    writeFileSync(file, gzipSync(bytes))
    return file
  }

  it('writes directories and files, their bytes and modes, across many chunks', async () => {
    const large = randomBytes(300_000)
    const file = archive(
      tar([
        { name: '/base', type: '5', mode: 0o700 },
        { name: '/base/1', type: '5', mode: 0o700 },
        { name: '/base/1/large', data: large },
        { name: '/base/1/empty' },
        { name: '/PG_VERSION', mode: 0o640, data: Buffer.from('17\n') },
      ]),
    )
    const target = join(dir, 'unpacked')
    await unpackTarGz(file, target)
    expect(readFileSync(join(target, 'base/1/large')).equals(large)).toBe(true)
    expect(readFileSync(join(target, 'base/1/empty')).length).toBe(0)
    expect(readFileSync(join(target, 'PG_VERSION'), 'utf8')).toBe('17\n')
    expect(statSync(join(target, 'PG_VERSION')).mode & 0o777).toBe(0o640)
    expect(statSync(join(target, 'base')).mode & 0o777).toBe(0o700)
    expect(existsSync(`${target}.unpacking`)).toBe(false)
  })

  it('unpacks into an empty directory that is already there', async () => {
    const target = join(dir, 'empty-before')
    mkdirSync(target)
    await unpackTarGz(archive(tar([{ name: 'PG_VERSION', data: Buffer.from('17\n') }])), target)
    expect(readFileSync(join(target, 'PG_VERSION'), 'utf8')).toBe('17\n')
  })

  it.each([
    ['cut short', gzipSync(tar([{ name: 'a', data: randomBytes(100_000) }])).subarray(0, 40_000)],
    [
      'without its end blocks',
      gzipSync(tar([{ name: 'a', data: Buffer.from('x') }], { end: false })),
    ],
    [
      'with a file outside it',
      gzipSync(
        tar([
          { name: 'ok', data: Buffer.from('x') },
          { name: '../escaped', data: Buffer.from('x') },
        ]),
      ),
    ],
    ['with a symbolic link', gzipSync(tar([{ name: 'link', type: '2' }]))],
  ])('leaves nothing behind from an archive %s', async (_, bytes) => {
    const file = join(dir, `bad-${++made}.tar.gz`)
    writeFileSync(file, bytes)
    const target = join(dir, `bad-target-${made}`)
    await expect(unpackTarGz(file, target)).rejects.toThrow()
    expect(existsSync(target)).toBe(false)
    expect(existsSync(`${target}.unpacking`)).toBe(false)
    expect(existsSync(join(dir, 'escaped'))).toBe(false)
  })

  it('refuses a directory that holds files, and leaves them as they were', async () => {
    const target = join(dir, 'occupied')
    mkdirSync(target)
    writeFileSync(join(target, 'mine'), 'keep')
    const file = archive(tar([{ name: 'mine', data: Buffer.from('theirs') }]))
    await expect(unpackTarGz(file, target)).rejects.toThrow(/not empty/)
    expect(readFileSync(join(target, 'mine'), 'utf8')).toBe('keep')
  })
})
