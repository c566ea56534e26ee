import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  CreateBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, describe, expect, it } from 'vitest'
import { describeWithMoto, motoClientConfig } from '../../test/helpers/moto.ts'
import { MIB } from '../../test/helpers/multipart.ts'
import { createLocalStorage, createS3Storage, type FileStorage, newStorageKey } from './storage.ts'

/** A body that sends `chunks` with pauses between them (so uploads make progress), then fails. */
function failingBody(chunks: number): Readable {
  return Readable.from(
    (async function* () {
      for (let index = 0; index < chunks; index++) {
        yield randomBytes(3 * MIB)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error('client went away')
    })(),
  )
}

async function readAll(body: Readable | undefined): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body ?? []) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function contract(
  name: string,
  open: () => Promise<{ storage: FileStorage; stored: () => Promise<string[]> }>,
) {
  describe(name, () => {
    it('stores, reads back and deletes (idempotently)', async () => {
      const { storage, stored } = await open()
      const key = newStorageKey()
      const content = randomBytes(7 * MIB)
      await storage.put(key, Readable.from([content]))
      expect(await stored()).toEqual([key])
      expect((await readAll(await storage.get(key))).equals(content)).toBe(true)
      await storage.delete(key)
      await storage.delete(key)
      expect(await storage.get(key)).toBeUndefined()
      expect(await stored()).toEqual([])
    })

    it('leaves nothing when the body fails half-way', async () => {
      const { storage, stored } = await open()
      await expect(storage.put(newStorageKey(), failingBody(4))).rejects.toThrow('client went away')
      expect(await stored()).toEqual([])
    })

    it('refuses keys it did not generate', async () => {
      const { storage } = await open()
      await expect(storage.get('../../etc/passwd')).rejects.toThrow('not a storage key')
      await expect(storage.put('a/../../x', Readable.from(['x']))).rejects.toThrow(
        'not a storage key',
      )
    })
  })
}

contract('local storage', async () => {
  const root = mkdtempSync(join(tmpdir(), 'food-fleet-storage-'))
  return {
    storage: createLocalStorage(root),
    // Everything under the root, `.partial/` included: a failed upload must not linger there.
    stored: async () =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1)),
  }
})

describeWithMoto('S3 storage (moto_server)', (moto) => {
  let s3: S3Client
  let bucketCount = 0
  afterAll(() => s3?.destroy())

  contract('on a bucket', async () => {
    const config = motoClientConfig(moto)
    s3 ??= new S3Client({ ...config, forcePathStyle: true })
    const bucket = `storage-test-${++bucketCount}`
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    return {
      storage: createS3Storage(bucket, config),
      // Objects, and multipart uploads left open (their parts are billed though invisible).
      stored: async () => {
        const objects = await s3.send(new ListObjectsV2Command({ Bucket: bucket }))
        const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
        return [
          ...(objects.Contents ?? []).map((object) => object.Key ?? ''),
          ...(uploads.Uploads ?? []).map((upload) => `open upload of ${upload.Key}`),
        ]
      },
    }
  })
})
