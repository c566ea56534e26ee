import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { openApiDocument } from '../openapi.ts'
import type { ProjectCommand } from './command.ts'

export const openApiCommand: ProjectCommand = {
  name: 'openapi',
  description:
    'Write the OpenAPI document to openapi/openapi.json (or the path given), without a server',
  offline: true,
  async run([path = 'openapi/openapi.json']) {
    const target = resolve(path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, `${JSON.stringify(await openApiDocument(), null, 2)}\n`)
    process.stdout.write(`Wrote ${path}\n`)
    return 0
  },
}
