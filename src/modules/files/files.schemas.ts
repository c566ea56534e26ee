import { type Static, Type } from 'typebox'

export const StoredFile = Type.Object(
  {
    id: Type.Integer(),
    filename: Type.String({ description: "The client's file name, sanitised (metadata only)" }),
    content_type: Type.String({ description: 'Decided from the bytes, not from the request' }),
    size: Type.Integer({ description: 'Bytes' }),
    sha256: Type.String({ description: 'Hex SHA-256 of the content' }),
    owner_id: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'StoredFile' },
)

export const StoredFiles = Type.Object({ files: Type.Array(StoredFile) }, { title: 'StoredFiles' })

/** A file as the API shows it. */
export type StoredFile = Static<typeof StoredFile>

/** Documents the multipart body (it is read as a stream, not validated as JSON). */
export function multipartBody(field: string, description: string, many: boolean) {
  const file = Type.String({ format: 'binary' })
  return {
    'multipart/form-data': {
      schema: Type.Object({ [field]: many ? Type.Array(file) : file }, { required: [field] }),
      description,
    },
  }
}
