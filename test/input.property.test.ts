import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import type { RouteAccessEntry } from '../src/core/auth/access.ts'
import { createUser } from './helpers/accounts.ts'
import { createTestApp } from './helpers/app.ts'

// Generated from the route table and its schemas: for every route, every path parameter, query
// parameter and body field gets values that are wrong by construction (wrong JSON types, numbers
// out of range or not integers, text that is not a decimal integer, NUL, lone surrogates, strings
// past their limit, unknown fields) and whole bodies that are wrong (not UTF-8, not JSON, deep,
// wide, duplicate keys, another media type). Sent by a superuser, past every guard, each must get
// the 4xx problem it deserves and change nothing in the database. The seed is fixed and printed
// on failure (PROPERTY_SEED replays another).
const t = await createTestApp()
afterAll(() => t.close())
const root = await createUser(t, { superuser: true })
const SEED = Number(process.env.PROPERTY_SEED ?? 20261203)
const REQUESTS = Number(process.env.PROPERTY_REQUESTS ?? 10_000)

type Schema = {
  type?: string
  anyOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minLength?: number
  maxLength?: number
  maxItems?: number
  uniqueItems?: boolean
  format?: string
  content?: unknown
}

/** A request that is wrong, the status it must get, and whether it may write. */
interface BadRequest {
  what: string
  url: string
  body?: string | Buffer
  contentType?: string
  status: number
}

const typesOf = (schema: Schema): Set<string> =>
  new Set(
    schema.anyOf ? schema.anyOf.flatMap((member) => [...typesOf(member)]) : [schema.type ?? ''],
  )

/** JSON texts of a type other than the schema's, and of its type but out of its bounds. */
function badJson(schema: Schema): string[] {
  const types = typesOf(schema)
  const plain = schema.anyOf?.find((member) => member.type !== 'null') ?? schema
  const wrongTypes: [string, string[]][] = [
    ['string', ['"1"', '"true"', '"x"', '""']],
    ['integer', ['1', '0', '-1']],
    ['number', ['1.5', '-0.25']],
    ['boolean', ['true', 'false']],
    ['null', ['null']],
    ['array', ['[1]', '[]', '["a"]']],
    ['object', ['{}', '{"a":1}']],
  ]
  const values = wrongTypes
    .filter(([type]) => !types.has(type) && !(type === 'integer' && types.has('number')))
    .flatMap(([, texts]) => texts)
  if (types.has('integer') || types.has('number')) {
    values.push('1e400', '-1e400')
    if (plain.minimum !== undefined) values.push(String(plain.minimum - 1))
    if (plain.exclusiveMinimum !== undefined) values.push(String(plain.exclusiveMinimum))
    if (plain.maximum !== undefined) values.push(String(plain.maximum + 1))
    if (types.has('integer') && !types.has('number')) values.push('1.5', '2.0000001')
  }
  if (types.has('string')) {
    values.push('"a\\u0000b"', '"\\ud800"', '"x\\udc00y"')
    if (plain.maxLength !== undefined) values.push(JSON.stringify('a'.repeat(plain.maxLength + 1)))
    if (plain.minLength) values.push('""')
    if (plain.format === 'email') values.push('"not an email"')
  }
  if (types.has('array') && plain.items) {
    for (const item of badJson(plain.items).slice(0, 6)) values.push(`[${item}]`)
    if (plain.maxItems !== undefined) {
      values.push(`[${Array.from({ length: plain.maxItems + 1 }, (_, i) => i + 1).join(',')}]`)
    }
    if (plain.uniqueItems) values.push('[1,1]')
  }
  return values
}

/** Path or query texts that are not what an integer (or a string) parameter takes. */
function badText(schema: Schema): string[] {
  if (schema.type === 'integer') {
    const values = [
      'Infinity',
      '-Infinity',
      'NaN',
      '1e3',
      '0x10',
      '1.5',
      ' 1',
      '+1',
      'abc',
      '1_000',
    ]
    values.push('%00', '1%00', '%E2%80%AE1', '99999999999999999999')
    if ((schema.minimum ?? -1) >= 0) values.push('-0', '-1')
    if (schema.minimum !== undefined && schema.minimum > 0) values.push('0')
    if (schema.maximum !== undefined) values.push(String(schema.maximum + 1))
    return values
  }
  const values = ['a%00b', '%00']
  if (schema.maxLength !== undefined) values.push('a'.repeat(schema.maxLength + 1))
  return values
}

const schemaOf = (route: RouteAccessEntry) =>
  (route.schema ?? {}) as { params?: Schema; querystring?: Schema; body?: Schema }

/** A URL for the route with valid ids (its own user's, or 1), or one parameter replaced. */
function urlOf(route: RouteAccessEntry, replace?: [string, string], query = '') {
  const path = route.url.replace(/:([a-z_]+)/g, (_, name: string) =>
    replace && replace[0] === name ? replace[1] : String(root.id),
  )
  return query ? `${path}?${query}` : path
}

/** Every wrong request the schemas of a route allow us to make. */
function badRequestsOf(route: RouteAccessEntry): fc.Arbitrary<BadRequest> {
  const { params, querystring, body } = schemaOf(route)
  const options: fc.Arbitrary<BadRequest>[] = []
  for (const [name, schema] of Object.entries(params?.properties ?? {})) {
    options.push(
      fc.constantFrom(...badText(schema)).map((text) => ({
        what: `path ${name}=${text}`,
        url: urlOf(route, [name, text]),
        status: 422,
      })),
    )
  }
  for (const [name, schema] of Object.entries(querystring?.properties ?? {})) {
    options.push(
      fc.constantFrom(...badText(schema)).map((text) => ({
        what: `query ${name}=${text}`,
        url: urlOf(route, undefined, `${name}=${text}`),
        status: 422,
      })),
    )
  }
  options.push(
    fc.stringMatching(/^[a-z_]{1,12}$/).map((name) => ({
      what: `query ${name}z (undeclared)`,
      url: urlOf(route, undefined, `${name}z=1`),
      status: 422,
    })),
  )
  const bodyOf = (text: string | Buffer, what: string, status: number, contentType?: string) => ({
    what,
    url: urlOf(route),
    body: text,
    contentType,
    status,
  })
  if (body?.properties) {
    const fields = Object.entries(body.properties)
    options.push(
      fc
        .constantFrom(...fields)
        .chain(([name, schema]) =>
          fc
            .constantFrom(...badJson(schema))
            .map((value) =>
              bodyOf(`{"${name}":${value}}`, `body ${name}: ${value.slice(0, 40)}`, 422),
            ),
        ),
      fc
        .constantFrom(...fields)
        .chain(([name, schema]) =>
          fc
            .constantFrom(...badJson(schema))
            .map((value) =>
              bodyOf(
                `{"${name}":null,"${name}":${value}}`,
                `duplicate ${name}, last ${value.slice(0, 40)}`,
                422,
              ),
            ),
        ),
      fc
        .stringMatching(/^[a-z_]{1,12}$/)
        .map((name) => bodyOf(`{"${name}zz":1}`, `body ${name}zz (undeclared)`, 422)),
      fc
        .constantFrom('1', '"x"', 'true', '[]', 'null', '[{}]')
        .map((text) => bodyOf(text, `body ${text}`, 422)),
      fc
        .integer({ min: 1, max: 2000 })
        .map((depth) =>
          bodyOf(`${'['.repeat(depth)}${']'.repeat(depth)}`, `nested ${depth} deep`, 422),
        ),
      fc
        .integer({ min: 100, max: 5000 })
        .map((width) =>
          bodyOf(
            JSON.stringify(
              Object.fromEntries(Array.from({ length: width }, (_, i) => [`k${i}`, i])),
            ),
            `${width} keys`,
            422,
          ),
        ),
    )
  }
  if (body) {
    options.push(
      fc
        .constantFrom(
          Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
          Buffer.from('{"a":"\xff"}', 'latin1'),
          Buffer.from([0xed, 0xa0, 0x80]),
        )
        .map((bytes) => bodyOf(bytes, 'not UTF-8', 400)),
      fc
        .constantFrom('{', '{"a":', "{'a':1}", '{"a":1,}', 'nul', '{"__proto__":{"x":1}}')
        .map((text) => bodyOf(text, `malformed ${text}`, 400)),
      fc.constant(bodyOf('{}', 'text/plain', 415, 'text/plain')),
    )
  }
  return fc.oneof(...options)
}

/** Rows per table and the newest transaction that wrote one: any write changes it. */
const tables = (
  (await t.deps.database.db.execute(
    sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
  )) as unknown as { rows: { tablename: string }[] }
).rows.map((row) => row.tablename)
const fingerprintQuery = sql.raw(
  tables
    .map(
      (table) =>
        `select '${table}' as t, count(*)::text as n, coalesce(max(xmin::text::bigint), 0)::text as x from "${table}"`,
    )
    .join(' union all '),
)
const fingerprint = async () =>
  JSON.stringify(
    ((await t.deps.database.db.execute(fingerprintQuery)) as unknown as { rows: unknown[] }).rows,
  )

const routes = t.routes.filter((route) => route.method !== 'OPTIONS')
let sent = 0
let nextAddress = 0

describe('every route refuses bad input with a precise 4xx and changes nothing', () => {
  afterAll(() => {
    console.log(`input property test: ${sent} requests over ${routes.length} routes, seed ${SEED}`)
  })

  it.each(routes.map((route) => [`${route.method} ${route.url}`, route] as const))(
    '%s',
    async (_name, route) => {
      const runs = Math.ceil(REQUESTS / routes.length)
      // Every request here is refused, so the database must end the run as it began.
      const before = await fingerprint()
      await fc.assert(
        fc.asyncProperty(badRequestsOf(route), async (bad) => {
          nextAddress += 1
          const response = await t.app.inject({
            method: route.method as 'POST',
            url: bad.url,
            headers: {
              ...root.headers,
              ...(bad.body === undefined
                ? {}
                : { 'content-type': bad.contentType ?? 'application/json' }),
            },
            payload: bad.body,
            remoteAddress: `10.${(nextAddress >> 16) & 255}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`,
          })
          sent += 1
          const what = `${bad.what} → ${response.statusCode} ${response.body.slice(0, 300)}`
          expect(response.statusCode, what).toBe(bad.status)
          expect(response.headers['content-type'], what).toMatch(/^application\/problem\+json/)
          const problem = response.json()
          expect(problem, what).toMatchObject({
            type: 'about:blank',
            status: bad.status,
            title: expect.any(String),
            detail: expect.any(String),
            code: expect.any(String),
          })
          if (bad.status === 422 && problem.code === 'validation_failed') {
            expect(problem.errors?.length, what).toBeGreaterThan(0)
          }
        }),
        { seed: SEED, numRuns: runs, endOnFailure: true },
      )
      expect(await fingerprint()).toBe(before)
    },
  )
})
