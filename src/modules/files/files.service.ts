import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { hasPermission, type Principal } from '../../core/auth/access.ts'
import { AppError } from '../../core/errors.ts'
import type { Logger } from '../../core/logger.ts'
import { offsetOf, type PageOf, pageOf } from '../../core/pagination.ts'
import { type FileStorage, newStorageKey } from '../../core/storage.ts'
import { sanitizeFilename, UploadInspector } from '../../core/uploads.ts'
import { fileNotFound } from './files.errors.ts'
import type { FileRow, NewFile } from './files.models.ts'
import type { FilesRepository } from './files.repository.ts'
import type { StoredFile } from './files.schemas.ts'

/** One file of an upload, as it arrives: read once, in order. */
export interface IncomingFile {
  filename: string | undefined
  stream: Readable
}

export interface UploadRules {
  allowedTypes: readonly string[]
  maxBytes: number
}

const toStoredFile = (row: FileRow): StoredFile => ({
  id: row.id,
  filename: row.originalName,
  content_type: row.contentType,
  size: row.size,
  sha256: row.sha256,
  owner_id: row.ownerId,
  created_at: row.createdAt.toISOString(),
})

export function createFilesService({
  filesRepository,
  storage,
  rules,
  logger,
}: {
  filesRepository: FilesRepository
  storage: FileStorage
  rules: UploadRules
  logger: Logger
}) {
  /** Another user's file is invisible (404, not 403) unless the caller may act on every file. */
  const ownerFilter = (principal: Principal, action: 'read' | 'delete') =>
    hasPermission(principal, `files:${action}`) ? undefined : principal.userId

  async function removeStored(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map((key) =>
        storage.delete(key).catch((error) => {
          logger.warn({ err: error, key }, 'could not remove an uploaded file; it is orphaned')
        }),
      ),
    )
  }

  /** Streams one file through the inspector into storage; nothing is kept when it fails. */
  async function storeOne(ownerId: number, incoming: IncomingFile): Promise<NewFile> {
    const inspector = new UploadInspector(rules.allowedTypes, rules.maxBytes)
    const key = newStorageKey()
    const outcomes = await Promise.allSettled([
      pipeline(incoming.stream, inspector),
      storage.put(key, inspector),
    ])
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
    )
    if (failures.length > 0) {
      await removeStored([key])
      throw failures.find((failure) => failure instanceof AppError) ?? failures[0]
    }
    const { contentType, size, sha256 } = inspector.result()
    return {
      ownerId,
      originalName: sanitizeFilename(incoming.filename),
      storageKey: key,
      contentType,
      size,
      sha256,
    }
  }

  return {
    /**
     * Stores every file, then records them in one transaction: all or nothing. A failure at any
     * point removes what was already stored.
     */
    async upload(ownerId: number, incoming: AsyncIterable<IncomingFile>): Promise<StoredFile[]> {
      const stored: NewFile[] = []
      try {
        for await (const file of incoming) stored.push(await storeOne(ownerId, file))
        const rows = await filesRepository.insertFiles(stored)
        return rows.map(toStoredFile)
      } catch (error) {
        await removeStored(stored.map((file) => file.storageKey))
        throw error
      }
    },

    async open(principal: Principal, id: number): Promise<{ file: StoredFile; body: Readable }> {
      const row = await filesRepository.findFile(id, ownerFilter(principal, 'read'))
      if (!row) throw fileNotFound(id)
      const body = await storage.get(row.storageKey)
      if (!body) {
        logger.error({ fileId: id, key: row.storageKey }, 'file recorded but missing from storage')
        throw fileNotFound(id)
      }
      return { file: toStoredFile(row), body }
    },

    /** The record goes first: a storage failure then leaves an orphan, never a dangling record. */
    async delete(principal: Principal, id: number): Promise<void> {
      const row = await filesRepository.deleteFile(id, ownerFilter(principal, 'delete'))
      if (!row) throw fileNotFound(id)
      await removeStored([row.storageKey])
    },

    async page(principal: Principal, page: number, size: number): Promise<PageOf<StoredFile>> {
      const { rows, total } = await filesRepository.pageFiles(
        offsetOf(page, size),
        size,
        ownerFilter(principal, 'read'),
      )
      return pageOf(rows.map(toStoredFile), total, page, size)
    },
  }
}

export type FilesService = ReturnType<typeof createFilesService>
