import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { TestProject } from 'vitest/node'
import { bundle } from '../bin/launch.mjs'
import { openPostgres, wrapPglite } from '../src/core/db/database.ts'
import { createLogger } from '../src/core/logger.ts'
import { adminQuery, withDatabase } from './helpers/postgres.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tarball of a migrated PGlite data directory, loaded by each test file. */
    pgliteTemplate: string
    /** The embedded database's worker program, bundled as `npm start` does (Node runs no TypeScript). */
    pgliteWorker: string
    /** With DATABASE_URL: a migrated database each test file copies with CREATE DATABASE … TEMPLATE. */
    postgresTemplate: string | undefined
  }
}

const silent = createLogger({ LOG_LEVEL: 'silent', NODE_ENV: 'test', APP_NAME: 'test' })

/** Migrates once per run; every test file then starts from a copy in well under a second. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'food-fleet-test-'))
  // Inside the checkout, where the bundle's external packages resolve.
  const bundled = new URL(`../.cache/test-${process.pid}/`, import.meta.url)
  await bundle('main', bundled)
  project.provide('pgliteWorker', new URL('pglite-worker.js', bundled).href)
  const client = await PGlite.create()
  const template = await wrapPglite(client, { logger: silent })
  await template.migrate()
  const dump = await client.dumpDataDir('none')
  const tarball = join(dir, 'template.tar')
  writeFileSync(tarball, Buffer.from(await dump.arrayBuffer()))
  await template.close()
  project.provide('pgliteTemplate', tarball)

  const url = process.env.DATABASE_URL
  let postgresTemplate: string | undefined
  if (url) {
    postgresTemplate = `food_fleet_template_${process.pid}`
    await adminQuery(url, `create database ${postgresTemplate}`)
    const database = await openPostgres(withDatabase(url, postgresTemplate), 1, { logger: silent })
    await database.migrate()
    await database.close()
  }
  project.provide('postgresTemplate', postgresTemplate)

  return async () => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(bundled, { recursive: true, force: true })
    if (url && postgresTemplate) {
      await adminQuery(url, `drop database if exists ${postgresTemplate} with (force)`)
    }
  }
}
