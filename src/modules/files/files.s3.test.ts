import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUser, type TestUser } from '../../../test/helpers/accounts.ts'
import {
  createTestApp,
  fetchOverHttp,
  recordingLogger,
  type TestApp,
} from '../../../test/helpers/app.ts'
import { describeWithMoto, motoClientConfig, motoEnv } from '../../../test/helpers/moto.ts'
import { MIB, multipart, type Part, sample } from '../../../test/helpers/multipart.ts'

const BUCKET = 'food-fleet-uploads'

describeWithMoto('files on S3 (moto_server)', (moto) => {
  let s3: S3Client
  let t: TestApp
  let owner: TestUser
  const log = recordingLogger('info')

  beforeAll(async () => {
    s3 = new S3Client({ ...motoClientConfig(moto), forcePathStyle: true })
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
    t = await createTestApp({
      env: { ...motoEnv(moto), STORAGE_BACKEND: 's3', S3_BUCKET: BUCKET, MAX_UPLOAD_MB: '12' },
      logger: log.logger,
    })
    owner = await createUser(t)
  }, 60_000)

  afterAll(async () => {
    await t?.close()
    s3?.destroy()
  })

  async function objectKeys(): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))
    return (listed.Contents ?? []).map((object) => object.Key ?? '')
  }

  async function openMultipartUploads(): Promise<number> {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
    return listed.Uploads?.length ?? 0
  }

  function upload(parts: Part[], url = '/api/v1/files/') {
    const { payload, headers } = multipart(parts)
    return t.app.inject({ method: 'POST', url, payload, headers: { ...headers, ...owner.headers } })
  }

  it('streams a file into the bucket, serves it back and deletes it', async () => {
    const content = sample.pdf(300_000)
    const response = await upload([{ field: 'file', filename: 'menu.pdf', content }])
    expect(response.statusCode, response.body).toBe(201)
    const { id } = response.json()
    const [key] = await objectKeys()
    expect(key).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}$/)
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    expect(Buffer.from(await (object.Body?.transformToByteArray() ?? [])).equals(content)).toBe(
      true,
    )

    const download = await t.app.inject({
      method: 'GET',
      url: `/api/v1/files/${id}`,
      headers: owner.headers,
    })
    expect(download.statusCode).toBe(200)
    expect(download.rawPayload.equals(content)).toBe(true)
    expect(download.headers['content-type']).toBe('application/pdf')
    // Over real connections too, and a whole download logs no error.
    log.lines.length = 0
    for (const over of await fetchOverHttp(t, `/api/v1/files/${id}`, owner.headers)) {
      expect(over.status).toBe(200)
      expect(over.body.equals(content)).toBe(true)
    }
    expect(log.lines.filter((line) => line.level >= 40 || /stream/.test(line.msg))).toEqual([])

    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/files/${id}`,
      headers: owner.headers,
    })
    expect(deleted.statusCode).toBe(204)
    expect(await objectKeys()).toEqual([])
  })

  it('uploads a file larger than one part as a multipart upload', async () => {
    const content = sample.png(11 * MIB)
    const response = await upload([{ field: 'file', filename: 'big.png', content }])
    expect(response.statusCode, response.body).toBe(201)
    const [key] = await objectKeys()
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    expect(object.ContentLength).toBe(11 * MIB)
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/files/${response.json().id}`,
      headers: owner.headers,
    })
    expect(await objectKeys()).toEqual([])
  })

  it.each([
    [
      'too large after two parts went up',
      [{ field: 'file', filename: 'huge.png', content: sample.png(12 * MIB + 1) }],
      '/api/v1/files/',
      413,
    ],
    [
      'not an allowed type',
      [{ field: 'file', filename: 'x.png', content: sample.text(1000) }],
      '/api/v1/files/',
      415,
    ],
    [
      'a batch whose last file is refused',
      [
        { field: 'files', filename: 'a.png', content: sample.png(1000) },
        { field: 'files', filename: 'b.png', content: sample.png(6 * MIB) },
        { field: 'files', filename: 'c.txt', content: sample.text(1000) },
      ],
      '/api/v1/files/batch',
      415,
    ],
  ])('leaves no object and no open multipart upload for %s', async (_name, parts, url, status) => {
    const response = await upload(parts as Part[], url)
    expect(response.statusCode, response.body).toBe(status)
    expect(await objectKeys()).toEqual([])
    expect(await openMultipartUploads()).toBe(0)
  })
})
