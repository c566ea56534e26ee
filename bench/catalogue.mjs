// The catalogue under load: GET /products/{random id} with the cache on and off, the v1 list
// and the v2 page. Seeds through the API: 10 categories, 1,000 products. Uses PostgreSQL and
// Redis when DATABASE_URL / REDIS_URL are set, else the embedded database and memory cache.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP, api, load, pinSelf, startServer, stopServer } from './lib.mjs'

const duration = Number(process.env.BENCH_DURATION ?? 5)
const pinned = pinSelf()
const admin = { email: 'bench-admin@example.com', password: 'bench-admin-pass-1' }

async function run(cacheEnabled, dataDir, seed) {
  const server = await startServer(APP, {
    DATA_DIR: dataDir,
    CACHE_ENABLED: String(cacheEnabled),
    FIRST_SUPERUSER_EMAIL: admin.email,
    FIRST_SUPERUSER_PASSWORD: admin.password,
    LOG_LEVEL: 'info',
  })
  try {
    if (seed) {
      const { access_token: token } = await api(server, 'POST', '/api/v1/auth/login', admin)
      for (let c = 0; c < 10; c++) {
        const category = await api(
          server,
          'POST',
          '/api/v1/categories/',
          { name: `Bench ${c}` },
          token,
        )
        await Promise.all(
          Array.from({ length: 100 }, (_, p) =>
            api(
              server,
              'POST',
              '/api/v1/products/',
              {
                name: `Item ${c}-${p}`,
                price: (100 + p) / 100,
                stock: p,
                category_id: category.id,
              },
              token,
            ),
          ),
        )
      }
    }
    const ids = (await api(server, 'GET', '/api/v2/products/?size=100&page=1')).items.map(
      (p) => p.id,
    )
    const first = ids[0]
    const scenarios = {
      'GET /api/v1/products/{id}': {
        paths: Array.from({ length: 1000 }, (_, i) => `/api/v1/products/${first + i}`),
      },
      'GET /api/v1/products/?limit=20': { path: '/api/v1/products/?limit=20' },
      'GET /api/v2/products/?page=…&size=20': {
        paths: Array.from(
          { length: 50 },
          (_, page) => `/api/v2/products/?size=20&page=${page + 1}`,
        ),
      },
    }
    const results = {}
    for (const [name, options] of Object.entries(scenarios)) {
      results[name] = await load(server.url, { duration, pid: server.child.pid, ...options })
    }
    return results
  } finally {
    await stopServer(server)
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'food-fleet-bench-'))
const withCache = await run(true, dataDir, true)
const withoutCache = await run(false, dataDir, false)
rmSync(dataDir, { recursive: true, force: true })

const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'
const cacheKind = process.env.REDIS_URL ? 'Redis' : 'memory'
console.log(
  `\n${database}, ${cacheKind} cache, 32 connections, ${duration} s${pinned ? ', server on core 0, load on core 1' : ''}`,
)
console.log('scenario                                cache   req/s     p50   p99  non-2xx')
for (const [label, results] of [
  ['on', withCache],
  ['off', withoutCache],
]) {
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(40)}${label.padEnd(6)}${r.rps.toFixed(0).padStart(7)}${String(r.p50).padStart(6)}${String(r.p99).padStart(6)}${String(r.non2xx).padStart(9)}`,
    )
  }
}
