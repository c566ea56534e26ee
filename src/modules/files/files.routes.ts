import { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { activeUser, principalOf } from '../../core/auth/access.ts'
import { AppError } from '../../core/errors.ts'
import type { App } from '../../core/module.ts'
import { Page, PageQuery } from '../../core/pagination.ts'
import { IdParams, problemResponses } from '../../core/schemas.ts'
import { contentDisposition } from '../../core/uploads.ts'
import {
  malformedMultipart,
  missingFile,
  notMultipart,
  tooManyFiles,
  unexpectedFile,
} from './files.errors.ts'
import { multipartBody, StoredFile, StoredFiles } from './files.schemas.ts'
import type { FilesService, IncomingFile } from './files.service.ts'

/** Errors the multipart parser raises for a broken body: a 400, never a 500. */
function asClientError(error: unknown): unknown {
  if (error instanceof AppError) return error
  const status = (error as { statusCode?: number }).statusCode
  if (status && status >= 400 && status < 500) return error
  return malformedMultipart(error instanceof Error ? error.message : 'unreadable body')
}

/**
 * A part's bytes, with the parser's errors (a truncated or malformed body) turned into the 400
 * the client caused. Errors further down (storage) never pass through here.
 */
function partBytes(file: Readable, onTooLarge: () => void): Readable {
  file.once('limit', onTooLarge)
  return Readable.from(
    (async function* () {
      try {
        for await (const chunk of file) yield chunk as Buffer
      } catch (error) {
        throw asClientError(error)
      }
    })(),
    { objectMode: false },
  )
}

/**
 * The files of a multipart body, one at a time as they stream in: only `field` may carry files,
 * at most `maxFiles` of them, at least one; text fields are skipped.
 */
async function* multipartFiles(
  request: FastifyRequest,
  field: string,
  maxFiles: number,
): AsyncGenerator<IncomingFile> {
  if (!request.isMultipart()) throw notMultipart()
  // Past its size limit the parser drops the rest of a file but goes on reading it to find the
  // next part. The upload fails with 413 then, so the request stops being read at once: the
  // answer does not wait on, and memory does not fill with, bytes that will be thrown away.
  const stopReading = () => {
    request.raw.unpipe()
    request.raw.pause()
  }
  let count = 0
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue
      if (part.fieldname !== field) throw unexpectedFile(part.fieldname, field)
      count += 1
      if (count > maxFiles) throw tooManyFiles(field, maxFiles)
      yield { filename: part.filename, stream: partBytes(part.file, stopReading) }
    }
  } catch (error) {
    throw asClientError(error)
  }
  if (count === 0) throw missingFile(field)
}

export async function registerFilesRoutes(
  app: App,
  {
    filesService,
    prefix,
    maxBytes,
    maxFiles,
  }: { filesService: FilesService; prefix: string; maxBytes: number; maxFiles: number },
) {
  // Limits of the parser itself; the file size and type are enforced while streaming (core/uploads).
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: {
      fileSize: maxBytes + 1,
      files: maxFiles + 1,
      fields: 20,
      fieldSize: 4096,
      fieldNameSize: 100,
      parts: maxFiles + 21,
      headerPairs: 50,
    },
  })
  const files = `${prefix}/files`
  const uploadProblems = problemResponses(400, 401, 403, 413, 415, 422)

  app.post(
    `${files}/`,
    {
      config: activeUser,
      schema: {
        operationId: 'uploadFile',
        summary: 'Upload a file (JPEG, PNG or PDF by content)',
        description:
          'A multipart body with one part named `file`; its type is decided by its content, and it is refused while streaming once larger than MAX_UPLOAD_MB.',
        body: { content: multipartBody('file', 'One file in field `file`', false) },
        response: { 201: StoredFile, ...uploadProblems },
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request)
      const [stored] = await filesService.upload(userId, multipartFiles(request, 'file', 1))
      return reply.code(201).send(stored as StoredFile)
    },
  )

  app.post(
    `${files}/batch`,
    {
      config: activeUser,
      schema: {
        operationId: 'uploadFiles',
        summary: `Upload up to ${maxFiles} files at once: all are stored or none`,
        description:
          'A multipart body with up to MAX_UPLOAD_FILES parts named `files`; one refused file refuses them all.',
        body: { content: multipartBody('files', 'Files in field `files`', true) },
        response: { 201: StoredFiles, ...uploadProblems },
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request)
      const stored = await filesService.upload(userId, multipartFiles(request, 'files', maxFiles))
      return reply.code(201).send({ files: stored })
    },
  )

  app.get(
    `${files}/`,
    {
      config: activeUser,
      schema: {
        operationId: 'listFiles',
        summary: "List your files (every user's with files:read), newest first",
        description: "Your files, or with files:read every user's, as pages.",
        querystring: PageQuery,
        response: { 200: Page(StoredFile), ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const { page, size } = request.query
      return filesService.page(principalOf(request), page, size)
    },
  )

  app.get(
    `${files}/:id`,
    {
      config: activeUser,
      schema: {
        operationId: 'downloadFile',
        summary: "Download a file (yours, or any with files:read; others' answer 404)",
        description: 'The bytes as uploaded, with their type and a safe Content-Disposition.',
        params: IdParams,
        response: {
          200: Type.Unsafe<Readable>({
            type: 'string',
            format: 'binary',
            description: 'The file as uploaded',
          }),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const { file, body } = await filesService.open(principalOf(request), request.params.id)
      return reply
        .type(file.content_type)
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(file.filename))
        .header('cache-control', 'private, no-store')
        .send(body)
    },
  )

  app.delete(
    `${files}/:id`,
    {
      config: activeUser,
      schema: {
        operationId: 'deleteFile',
        summary: "Delete a file (yours, or any with files:delete; others' answer 404)",
        description: 'Deletes the record, then the stored bytes.',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await filesService.delete(principalOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )
}
