import { defineError } from '../../core/errors.ts'

/** Also the answer for another user's file: ids cannot be probed. */
export const fileNotFound = defineError(404, 'not_found', (fileId: number) => ({
  detail: `File with ID ${fileId} not found`,
  file_id: fileId,
}))

export const notMultipart = defineError(415, 'unsupported_media_type', () => ({
  detail: 'Send the file as multipart/form-data',
}))

export const malformedMultipart = defineError(400, 'malformed_request', (reason: string) => ({
  detail: `The multipart body could not be read: ${reason}`,
}))

export const missingFile = defineError(422, 'validation_failed', (field: string) => ({
  detail: `No file in field "${field}"`,
  errors: [{ field, message: 'is required' }],
}))

export const unexpectedFile = defineError(
  422,
  'validation_failed',
  (field: string, expected: string) => ({
    detail: `Unexpected file field "${field}"; send files in "${expected}"`,
    errors: [{ field, message: `is not accepted; use "${expected}"` }],
  }),
)

export const tooManyFiles = defineError(
  422,
  'validation_failed',
  (field: string, maxFiles: number) => ({
    detail: `At most ${maxFiles} file(s) in field "${field}"`,
    errors: [{ field, message: `at most ${maxFiles} file(s)` }],
  }),
)
