import { defineModule } from '../../core/module.ts'
import { createFilesRepository } from './files.repository.ts'
import { registerFilesRoutes } from './files.routes.ts'
import { createFilesService, type FilesService } from './files.service.ts'

declare module '../../core/auth/access.ts' {
  interface Resources {
    files: true
  }
}

declare module '../../core/module.ts' {
  interface Services {
    filesService: FilesService
  }
}

const MIB = 1024 * 1024

/** Uploads (the guide's upload endpoints, done safely): streamed, checked by content, stored locally or on S3. */
export const filesModule = defineModule({
  name: 'files',
  resources: ['files'],
  description:
    'Uploads: streamed, checked by their content, stored locally or on S3; download and delete',
  services: ({ database, storage, config, logger }) => ({
    filesService: createFilesService({
      filesRepository: createFilesRepository(database.db),
      storage,
      rules: {
        allowedTypes: config.ALLOWED_UPLOAD_TYPES,
        maxBytes: Math.floor(config.MAX_UPLOAD_MB * MIB),
      },
      logger,
    }),
  }),
  async routes(app, { filesService }, { config }) {
    await registerFilesRoutes(app, {
      filesService,
      prefix: config.API_V1_PREFIX,
      maxBytes: Math.floor(config.MAX_UPLOAD_MB * MIB),
      maxFiles: config.MAX_UPLOAD_FILES,
    })
  },
})
