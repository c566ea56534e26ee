// The bench's data and scenarios, shared by `npm run bench` (run.mjs) and `bench/profile.mjs`.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { api } from './lib.mjs'

export const adminUser = { email: 'bench-admin@example.com', password: 'bench-admin-pass-1' }
export const normalUser = { email: 'bench-user@example.com', password: 'bench-user-pass-1' }

/** The app's environment: production mode, quiet, rate limits out of the way, the bench admin. */
export const benchAppEnv = (secretKey, extra) => ({
  NODE_ENV: 'production',
  SECRET_KEY: secretKey,
  DATA_DIR: mkdtempSync(join(tmpdir(), 'food-fleet-bench-')),
  LOG_LEVEL: 'warn',
  LOGIN_RATE_LIMIT: '100000000/minute',
  LOGIN_IP_RATE_LIMIT: '100000000/minute',
  SIGNUP_RATE_LIMIT: '100000000/minute',
  FIRST_SUPERUSER_EMAIL: adminUser.email,
  FIRST_SUPERUSER_PASSWORD: adminUser.password,
  ...extra,
})

/**
 * A database of its own on the server of `serverUrl`; `keepOnly(ids)` deletes the products S5
 * created, so every scenario reads the same 1,000; `drop()` removes it.
 */
export async function createBenchDatabase(serverUrl) {
  const name = `food_fleet_bench_${Date.now()}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(serverUrl.replace(/^postgres(ql)?\+[a-z0-9]+:/i, 'postgresql:'))
  url.pathname = `/${name}`
  const bench = new pg.Client({ connectionString: url.toString() })
  await bench.connect()
  return {
    url: url.toString(),
    async keepOnly(productIds) {
      await bench.query('delete from products where not (id = any($1))', [productIds])
      await bench.query('vacuum analyze products')
    },
    async drop() {
      await bench.end()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

/** Seeds through the API: 10 categories, 1,000 products, one normal user. */
export async function seed(server) {
  const { access_token: token } = await api(server, 'POST', '/api/v1/auth/login', adminUser)
  const categories = []
  for (let c = 0; c < 10; c++) {
    categories.push(
      await api(server, 'POST', '/api/v1/categories/', { name: `Category ${c}` }, token),
    )
  }
  const productIds = []
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < 1000) {
        const index = next++
        const created = await api(
          server,
          'POST',
          '/api/v1/products/',
          {
            name: `Product ${index}`,
            description: 'A benchmark product',
            price: 1 + (index % 97) + 0.99,
            stock: index % 50,
            category_id: categories[index % 10].id,
          },
          token,
        )
        productIds.push(created.id)
      }
    }),
  )
  await api(server, 'POST', '/api/v1/auth/register', { ...normalUser, username: 'benchuser' })
  return { categoryId: categories[0].id, productIds }
}

export async function tokensOf(server) {
  const adminToken = (await api(server, 'POST', '/api/v1/auth/login', adminUser)).access_token
  const userToken = (await api(server, 'POST', '/api/v1/auth/login', normalUser)).access_token
  return { adminToken, userToken }
}

export function scenarios(data, tokens) {
  const json = { 'content-type': 'application/json' }
  return [
    { id: 'S1', name: 'GET /health', path: '/health' },
    { id: 'S2', name: 'GET /api/v1/products/?limit=20', path: '/api/v1/products/?limit=20' },
    {
      id: 'S3',
      name: 'GET /api/v1/products/{random id}',
      paths: data.productIds.map((id) => `/api/v1/products/${id}`),
    },
    {
      id: 'S4',
      name: 'GET /api/v1/users/me (bearer)',
      path: '/api/v1/users/me',
      headers: { authorization: `Bearer ${tokens.userToken}` },
    },
    {
      id: 'S5',
      name: 'POST /api/v1/products/ (admin)',
      method: 'POST',
      path: '/api/v1/products/',
      headers: { ...json, authorization: `Bearer ${tokens.adminToken}` },
      body: JSON.stringify({
        name: 'Bench burger',
        price: 9.99,
        stock: 50,
        category_id: data.categoryId,
      }),
    },
    {
      id: 'S6',
      name: 'POST /api/v1/auth/login',
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: json,
      body: JSON.stringify(normalUser),
    },
    {
      id: 'S7',
      name: 'GET /api/v2/products/?page=…&size=20',
      paths: Array.from({ length: 50 }, (_, page) => `/api/v2/products/?page=${page + 1}&size=20`),
    },
  ]
}

/** Deletes the keys a bench run made under `prefix`: Redis is left as the bench found it. */
export async function deleteBenchKeys(redisUrl, prefix) {
  const redis = new Redis(redisUrl)
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
}
