import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * A CommonJS dependency loaded on first use: a process configured never to need it (the S3
 * client without `STORAGE_BACKEND=s3`, Prometheus without `METRICS_PORT`) never holds it in
 * memory. Only for packages every importer loads as CommonJS, so there is one copy of each.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined
  return () => {
    loaded ??= require(name) as T
    return loaded
  }
}
