import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import { createTokens } from './tokens.ts'

const secret = 'a-test-secret-that-is-long-enough-for-hs256'
let now = new Date('2026-01-01T00:00:00Z')
const clock = { now: () => now }
const tokens = createTokens({ secret, accessTtlSeconds: 900, clock })

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
function forge(header: object, payload: object, key = secret, algorithm = 'sha256') {
  const unsigned = `${b64(header)}.${b64(payload)}`
  const signature = createHmac(algorithm, key).update(unsigned).digest('base64url')
  return `${unsigned}.${signature}`
}
const iat = () => Math.floor(now.getTime() / 1000)
const claims = () => ({
  sub: '7',
  jti: 'j',
  sid: 'session-1',
  type: 'access',
  iat: iat(),
  exp: iat() + 60,
})

function rejects(token: string) {
  let caught: unknown
  try {
    tokens.verifyAccess(token)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(AppError)
  expect((caught as AppError).status).toBe(401)
}

describe('access tokens', () => {
  it('carry the user id, a unique jti, the session and the lifetime', () => {
    const first = tokens.signAccess(7, 'session-1')
    const second = tokens.signAccess(7, 'session-1')
    expect(first.expiresIn).toBe(900)
    expect(tokens.verifyAccess(first.token)).toMatchObject({ userId: 7, sessionId: 'session-1' })
    expect(tokens.verifyAccess(first.token).jti).not.toBe(tokens.verifyAccess(second.token).jti)
  })

  it('accept a well-formed HS256 token signed with the secret', () => {
    expect(tokens.verifyAccess(forge({ alg: 'HS256', typ: 'JWT' }, claims())).userId).toBe(7)
  })

  it('reject a token that names no session', () => {
    const { sid: _sid, ...sessionless } = claims()
    rejects(forge({ alg: 'HS256', typ: 'JWT' }, sessionless))
    rejects(forge({ alg: 'HS256', typ: 'JWT' }, { ...claims(), sid: 42 }))
  })

  it('reject alg none', () => {
    rejects(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`)
  })

  it('reject other algorithms, even signed with the secret', () => {
    rejects(forge({ alg: 'HS512', typ: 'JWT' }, claims(), secret, 'sha512'))
  })

  it('reject a token signed with another key', () => {
    rejects(forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'another-secret-another-secret-another'))
  })

  it('reject a tampered payload', () => {
    const [header, , signature] = tokens.signAccess(7, 's').token.split('.')
    rejects(`${header}.${b64({ ...claims(), sub: '1' })}.${signature}`)
  })

  it('reject an expired token', () => {
    const { token } = tokens.signAccess(7, 's')
    now = new Date(now.getTime() + 901_000)
    rejects(token)
  })

  it('reject a token of another type (a 2FA challenge)', () => {
    rejects(tokens.signChallenge(7, 300).token)
  })

  it('reject garbage and a refresh token', () => {
    rejects('not-a-jwt')
    rejects('8cXvYd3Yq3bTjz1fZ2Qm9sQv4dH0o7rA5pWb6yLx0kE')
  })
})
