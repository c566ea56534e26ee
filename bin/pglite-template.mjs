#!/usr/bin/env node
// `node bin/pglite-template.mjs <file>` (run by `npm run build`): writes an empty embedded
// database — PGlite's initdb, done once here — as a gzipped tarball. The app's first start on a
// new DATA_DIR unpacks it instead of running initdb, faster and in less memory (bench/README.md).
// It holds no migrations, so it depends only on the PGlite version.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PGlite } from '@electric-sql/pglite'

export async function writePgliteTemplate(file) {
  const client = new PGlite()
  await client.waitReady
  const dump = await client.dumpDataDir('gzip')
  await client.close()
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(`${file}.tmp`, Buffer.from(await dump.arrayBuffer()))
  renameSync(`${file}.tmp`, file)
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const [file] = process.argv.slice(2)
  if (!file) {
    process.stderr.write('usage: node bin/pglite-template.mjs <file.tar.gz>\n')
    process.exit(2)
  }
  await writePgliteTemplate(file)
}
