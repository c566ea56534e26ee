import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import type { Logger } from './logger.ts'
import type { App } from './module.ts'
import { PROJECT_ROOT } from './paths.ts'

/** Where `vite build` writes the console (web/). */
export const CONSOLE_DIR = join(PROJECT_ROOT, 'web', 'dist')

/**
 * Scripts, styles, fonts and calls from this origin only. Styles may also be inline: the
 * component library sets its CSS variables in `style` attributes, which no nonce can cover;
 * scripts, the way an injection would run, may not.
 */
const CONSOLE_HEADERS = Object.freeze({
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'same-origin',
})

/**
 * The admin console at `/admin/`: hashed assets cached for good, `index.html` revalidated, and
 * any other path under `/admin/` answered with `index.html` (the console's own router takes it
 * from there). Off with `ADMIN_UI_ENABLED=false`; not built, it says how to build it.
 */
export async function serveAdminConsole(app: App, config: Config, logger: Logger): Promise<void> {
  if (!config.ADMIN_UI_ENABLED) return
  const indexFile = join(CONSOLE_DIR, 'index.html')
  if (!existsSync(indexFile)) {
    logger.warn('The admin console is not built (web/dist): run `npm run build` to serve /admin/')
    return
  }
  const index = await readFile(indexFile)
  const { default: serveStatic } = await import('@fastify/static')
  await app.register(async (console) => {
    console.addHook('onRequest', (_request, reply, done) => {
      reply.headers(CONSOLE_HEADERS)
      done()
    })
    await console.register(serveStatic, {
      root: join(CONSOLE_DIR, 'assets'),
      prefix: '/admin/assets/',
      wildcard: false,
      index: false,
      immutable: true,
      maxAge: '365d',
    })
    // An asset that is not there is a 404, not the page: a stale tab asking for an old hash.
    console.get('/admin/assets/*', { schema: { hide: true } }, (_request, reply) =>
      reply.callNotFound(),
    )
    // `/admin` and `/admin/` alike (trailing slashes are ignored), and every deeper path.
    for (const url of ['/admin', '/admin/*']) {
      console.get(url, { schema: { hide: true } }, (_request, reply) =>
        reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index),
      )
    }
  })
}
