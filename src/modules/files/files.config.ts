import { Type } from 'typebox'
import { defineConfig } from '../../config-fragment.ts'
import { UPLOAD_TYPES } from '../../core/uploads.ts'

export const filesConfig = defineConfig({
  MAX_UPLOAD_MB: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1024,
    default: 5,
    description: 'Largest uploaded file, in MiB (cut off while streaming)',
  }),
  MAX_UPLOAD_FILES: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 10,
    description: 'Most files in one batch upload',
  }),
  ALLOWED_UPLOAD_TYPES: Type.Array(Type.Union(UPLOAD_TYPES.map((type) => Type.Literal(type))), {
    minItems: 1,
    default: ['image/jpeg', 'image/png', 'application/pdf'],
    description: `Accepted upload types, recognised by content: ${UPLOAD_TYPES.join(', ')}`,
  }),
})
