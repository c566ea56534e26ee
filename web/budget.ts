import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

/** The sign-in page's JavaScript, gzipped: what a first visit downloads before it can sign in. */
export const SIGN_IN_BUDGET_BYTES = 200 * 1024

/**
 * Prints the gzipped JavaScript the entry needs before it runs (the entry chunk and what it
 * imports statically) against the budget, and fails the build over it. Screens loaded later are
 * listed with their own sizes.
 */
export function sizeBudget(): Plugin {
  return {
    name: 'food-fleet-size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((item) => item.type === 'chunk')
      const gzipped = (code: string) => gzipSync(code, { level: 9 }).length
      const entry = chunks.find((chunk) => chunk.isEntry)
      if (!entry) return
      const needed = new Set<string>([entry.fileName])
      for (const name of needed) {
        const chunk = chunks.find((candidate) => candidate.fileName === name)
        for (const imported of chunk?.imports ?? []) needed.add(imported)
      }
      const signIn = [...needed].reduce(
        (sum, name) => sum + gzipped(chunks.find((chunk) => chunk.fileName === name)?.code ?? ''),
        0,
      )
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
      const met = signIn <= SIGN_IN_BUDGET_BYTES
      this.info(
        `sign-in route JavaScript: ${kb(signIn)} gzip (budget ${kb(SIGN_IN_BUDGET_BYTES)}) — ${met ? 'met' : 'NOT MET'}`,
      )
      for (const chunk of chunks.filter((item) => !needed.has(item.fileName))) {
        this.info(`  later: ${chunk.fileName} ${kb(gzipped(chunk.code))} gzip`)
      }
      if (!met) this.error(`the sign-in route's JavaScript is over its budget: ${kb(signIn)}`)
    },
  }
}
