import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/helpers/app.ts'
import { openApiDocument } from '../openapi.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toBe('3.1.0')
    const result = await new Validator().validate(document)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(document.paths['/health/detailed'].get.responses).toHaveProperty('503')
  })

  it('names every operation, and the errors each can answer, as problem+json', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, Operation>).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        ...operation,
      })),
    )
    const ids = operations.map((operation) => operation.operationId)
    expect(new Set(ids).size).toBe(operations.length)
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/)
    const byId = Object.fromEntries(
      operations.map((operation) => [operation.operationId, operation]),
    )
    expect(byId.listProducts?.route).toBe('GET /api/v1/products/')
    expect(byId.getCurrentUser?.route).toBe('GET /api/v1/users/me')
    for (const operation of operations) {
      expect(operation.tags, operation.route).toHaveLength(1)
      expect(operation.summary && operation.description, operation.route).toBeTruthy()
      for (const parameter of operation.parameters ?? []) {
        const described = parameter.description ?? parameter.schema?.description
        expect(described, `${operation.route} ${parameter.name}`).toBeTruthy()
      }
      const protectedRoute = operation.security.length > 0
      for (const [status, response] of Object.entries(operation.responses)) {
        // Readiness answers its report, unhealthy or not (the guide's contract).
        if (Number(status) < 400 || operation.operationId === 'getReadiness') continue
        const schema = response.content?.['application/problem+json']?.schema?.$ref
        expect(schema, `${operation.route} ${status}`).toBe(
          status === '422'
            ? '#/components/schemas/ValidationProblem'
            : '#/components/schemas/Problem',
        )
      }
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(protectedRoute ? ['401', '403', '422'] : ['422']),
      )
    }
    expect(byId.login?.security).toEqual([])
    expect(Object.keys(byId.login?.responses ?? {})).toContain('429')
    expect(Object.keys(byId.createProduct?.responses ?? {})).toEqual(
      expect.arrayContaining(['400', '413', '415']),
    )
    expect(byId.getProduct?.responses['200']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Product',
    })
  })

  it('passes Redocly (recommended) and Spectral (spectral:oas) with no problem', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'))
    try {
      const path = join(dir, 'openapi.json')
      writeFileSync(path, JSON.stringify(document))
      const run = promisify(execFile)
      const redocly = await run(
        'node_modules/.bin/redocly',
        ['lint', path, '--config', 'redocly.yaml', '--format', 'json'],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      )
      const report = JSON.parse(redocly.stdout) as { totals: Record<string, number> }
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
      const findings = join(dir, 'spectral.json')
      await run('node_modules/.bin/spectral', [
        'lint',
        path,
        '--ruleset',
        '.spectral.yaml',
        '--format',
        'json',
        '--output',
        findings,
        '--fail-severity',
        'hint',
      ])
      expect(JSON.parse(readFileSync(findings, 'utf8'))).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('openapi/openapi.json', () => {
  it('is what the code describes (run `npm run openapi` after changing a route)', async () => {
    const committed = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'))
    expect(await openApiDocument()).toEqual(committed)
  })
})

interface Operation {
  operationId: string
  summary?: string
  description?: string
  parameters?: { name: string; description?: string; schema?: { description?: string } }[]
  tags: string[]
  security: unknown[]
  responses: Record<
    string,
    { content?: Record<string, { schema: { $ref?: string } }> } & Record<string, unknown>
  >
}

describe('GET /docs', () => {
  it('serves the interactive docs under a CSP that lets them run', async () => {
    const index = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(index.statusCode).toBe(200)
    expect(index.headers['content-type']).toMatch(/text\/html/)
    const csp = String(index.headers['content-security-policy'])
    expect(csp).toContain("style-src 'self' 'unsafe-inline'")
    expect(csp).not.toContain("default-src 'none'")
    const script = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })
    expect(script.statusCode).toBe(200)
  })
})

describe('with DOCS_ENABLED=false', () => {
  it('serves neither the docs nor the document, and registers no OpenAPI plugin', async () => {
    const closed = await createTestApp({ env: { DOCS_ENABLED: 'false' } })
    try {
      expect((await closed.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(404)
      expect((await closed.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(
        404,
      )
      expect(closed.app.hasDecorator('swagger')).toBe(false)
    } finally {
      await closed.close()
    }
  })
})
