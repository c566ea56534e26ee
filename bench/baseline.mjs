// The ceiling for S1–S7: the same routes on bare node:http + pg, hand-written SQL and JSON, no
// framework and no validation — only what the answer needs (the access token is still checked
// with an HMAC-SHA256 from node:crypto, the caller still loaded by primary key with its role; a
// login still verifies the password and stores its session). Run by bench/run.mjs:
// `node bench/baseline.mjs` with DATABASE_URL, SECRET_KEY and PORT.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { availableParallelism } from 'node:os'
import { verify as verifyPassword } from '@node-rs/argon2'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
const SECRET_KEY = process.env.SECRET_KEY

const hmac = (text) => createHmac('sha256', SECRET_KEY).update(text).digest()
const base64url = (value) => Buffer.from(value).toString('base64url')
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

function sign(claims) {
  const unsigned = `${HEADER}.${base64url(JSON.stringify(claims))}`
  return `${unsigned}.${hmac(unsigned).toString('base64url')}`
}

/** The claims of a valid, unexpired HS256 token; undefined otherwise. */
function verify(token) {
  const [header, payload, signature] = token.split('.')
  if (!signature) return undefined
  const expected = hmac(`${header}.${payload}`)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  return claims.type === 'access' && claims.exp > Date.now() / 1000 ? claims : undefined
}

// No more hashes at once than cores: on one core, four at once take ~1.4 × as long each.
let hashing = 0
const waiting = []
async function passwordMatches(passwordHash, password) {
  if (hashing >= availableParallelism()) await new Promise((resolve) => waiting.push(resolve))
  else hashing++
  try {
    return await verifyPassword(passwordHash, password)
  } finally {
    const next = waiting.shift()
    if (next) next()
    else hashing--
  }
}

const PRODUCT_SQL = `select p.id, p.name, p.description, p.price, p.stock, p.category_id, p.is_active,
  p.created_at, c.id as c_id, c.name as c_name, c.description as c_description,
  c.is_active as c_is_active, c.created_at as c_created_at
  from products p join categories c on c.id = p.category_id`

const product = (row) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  price: Number(row.price),
  stock: row.stock,
  category_id: row.category_id,
  is_active: row.is_active,
  category: {
    id: row.c_id,
    name: row.c_name,
    description: row.c_description,
    is_active: row.c_is_active,
    created_at: row.c_created_at.toISOString(),
  },
  created_at: row.created_at.toISOString(),
})

function send(response, status, body) {
  const json = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  })
  response.end(json)
}

function caller(request) {
  const header = request.headers.authorization ?? ''
  const claims = verify(header.slice(7))
  return claims ? Number(claims.sub) : undefined
}

async function readJson(request) {
  const chunks = []
  for await (const chunk of request) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function handle(request, response) {
  const url = new URL(request.url, 'http://localhost')
  const path = url.pathname
  if (request.method === 'GET' && path === '/health')
    return send(response, 200, { status: 'healthy' })
  if (request.method === 'GET' && path === '/api/v1/products/') {
    const limit = Number(url.searchParams.get('limit') ?? 100)
    const skip = Number(url.searchParams.get('skip') ?? 0)
    const { rows } = await pool.query(`${PRODUCT_SQL} order by p.id limit $1 offset $2`, [
      limit,
      skip,
    ])
    return send(response, 200, rows.map(product))
  }
  if (request.method === 'GET' && path === '/api/v2/products/') {
    const page = Number(url.searchParams.get('page') ?? 1)
    const size = Number(url.searchParams.get('size') ?? 50)
    const [{ rows }, { rows: counted }] = await Promise.all([
      pool.query(`${PRODUCT_SQL} order by p.id limit $1 offset $2`, [size, (page - 1) * size]),
      pool.query('select count(*)::int as total from products'),
    ])
    const total = counted[0].total
    return send(response, 200, {
      items: rows.map(product),
      total,
      page,
      size,
      pages: Math.ceil(total / size),
    })
  }
  const byId = /^\/api\/v1\/products\/(\d+)$/.exec(path)
  if (request.method === 'GET' && byId) {
    const { rows } = await pool.query(`${PRODUCT_SQL} where p.id = $1`, [Number(byId[1])])
    return rows[0]
      ? send(response, 200, product(rows[0]))
      : send(response, 404, { detail: 'Not found' })
  }
  if (request.method === 'GET' && path === '/api/v1/users/me') {
    const userId = caller(request)
    if (!userId) return send(response, 401, { detail: 'Not authenticated' })
    const { rows } = await pool.query(
      `select u.*, r.name as role_name from users u left join roles r on r.id = u.role_id where u.id = $1`,
      [userId],
    )
    const user = rows[0]
    if (!user?.is_active) return send(response, 401, { detail: 'Not authenticated' })
    return send(response, 200, {
      id: user.id,
      email: user.email,
      username: user.username,
      first_name: user.first_name,
      last_name: user.last_name,
      phone_number: user.phone_number,
      is_active: user.is_active,
      is_superuser: user.is_superuser,
      role_id: user.role_id,
      role: user.role_id ? { id: user.role_id, name: user.role_name } : null,
      two_factor_enabled: user.two_factor_enabled,
      created_at: user.created_at.toISOString(),
      updated_at: user.updated_at.toISOString(),
    })
  }
  if (request.method === 'POST' && path === '/api/v1/products/') {
    const userId = caller(request)
    const { rows: users } = await pool.query(
      'select is_superuser, is_active from users where id = $1',
      [userId ?? 0],
    )
    if (!users[0]?.is_active || !users[0].is_superuser)
      return send(response, 403, { detail: 'Forbidden' })
    const body = await readJson(request)
    const { rows } = await pool.query(
      `with inserted as (insert into products (name, description, price, stock, category_id)
        values ($1, $2, $3, $4, $5) returning *)
       select i.id, i.name, i.description, i.price, i.stock, i.category_id, i.is_active, i.created_at,
        c.id as c_id, c.name as c_name, c.description as c_description, c.is_active as c_is_active,
        c.created_at as c_created_at
       from inserted i join categories c on c.id = i.category_id`,
      [body.name, body.description ?? null, body.price, body.stock ?? 0, body.category_id],
    )
    return send(response, 201, product(rows[0]))
  }
  if (request.method === 'POST' && path === '/api/v1/auth/login') {
    const { email, password } = await readJson(request)
    const { rows } = await pool.query(
      'select id, password_hash, is_active from users where lower(email) = $1',
      [String(email).toLowerCase()],
    )
    const user = rows[0]
    if (!user?.is_active || !(await passwordMatches(user.password_hash, String(password))))
      return send(response, 401, { detail: 'Incorrect email or password' })
    const refreshToken = randomBytes(32).toString('base64url')
    const familyId = randomUUID()
    await pool.query(
      `insert into refresh_tokens (token_hash, family_id, user_id, expires_at, user_agent, ip)
       values ($1, $2, $3, $4, $5, $6)`,
      [
        createHash('sha256').update(refreshToken).digest('hex'),
        familyId,
        user.id,
        new Date(Date.now() + 7 * 86_400_000),
        request.headers['user-agent'] ?? null,
        request.socket.remoteAddress ?? null,
      ],
    )
    const iat = Math.floor(Date.now() / 1000)
    return send(response, 200, {
      access_token: sign({
        sub: String(user.id),
        jti: randomUUID(),
        type: 'access',
        iat,
        exp: iat + 1800,
        sid: familyId,
      }),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: 1800,
    })
  }
  send(response, 404, { detail: 'Not found' })
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => send(response, 500, { detail: 'error' }))
})
server.listen(Number(process.env.PORT), '127.0.0.1')
process.once('SIGTERM', () => {
  server.close()
  pool.end().then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
