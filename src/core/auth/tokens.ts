import { randomBytes, randomUUID } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import type { Clock } from '../clock.ts'
import { invalidToken } from './auth.errors.ts'

export type TokenType = 'access' | 'challenge'

export interface TokenClaims {
  userId: number
  jti: string
}

export interface AccessClaims extends TokenClaims {
  /** The refresh-token family (login session) the access token was issued for. */
  sessionId: string
}

/**
 * Access tokens (and later 2FA challenge tokens): HS256 JWTs signed with SECRET_KEY. Only HS256
 * verifies (no `alg: none`, no other algorithm), and a token of one type never passes as another.
 */
export function createTokens({
  secret,
  accessTtlSeconds,
  clock,
}: {
  secret: string
  accessTtlSeconds: number
  clock: Clock
}) {
  const signer = createSigner({ key: secret, algorithm: 'HS256' })
  // Expiry is checked below against the injected clock, so tests can move time.
  const verifier = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'jti', 'iat', 'exp', 'type'],
    ignoreExpiration: true,
  })

  function sign(type: TokenType, userId: number, ttlSeconds: number, sessionId?: string) {
    const iat = Math.floor(clock.now().getTime() / 1000)
    const jti = randomUUID()
    const claims = { sub: String(userId), jti, type, iat, exp: iat + ttlSeconds, sid: sessionId }
    const token: string = signer(claims)
    return { token, expiresIn: ttlSeconds, jti }
  }

  function verify(type: TokenType, token: string): TokenClaims & { sid?: unknown } {
    let claims: Record<string, unknown>
    try {
      claims = verifier(token)
    } catch {
      throw invalidToken()
    }
    const now = clock.now().getTime() / 1000
    const userId = Number(claims.sub)
    if (claims.type !== type || typeof claims.exp !== 'number' || claims.exp <= now) {
      throw invalidToken()
    }
    if (!Number.isSafeInteger(userId) || userId < 1) {
      throw invalidToken()
    }
    return { userId, jti: String(claims.jti), sid: claims.sid }
  }

  function verifyAccess(token: string): AccessClaims {
    const { userId, jti, sid } = verify('access', token)
    // Every access token belongs to a session: one without cannot be revoked, so it is refused.
    if (typeof sid !== 'string' || sid === '') throw invalidToken()
    return { userId, jti, sessionId: sid }
  }

  return {
    signAccess: (userId: number, sessionId: string) =>
      sign('access', userId, accessTtlSeconds, sessionId),
    verifyAccess,
    signChallenge: (userId: number, ttlSeconds: number) => sign('challenge', userId, ttlSeconds),
    verifyChallenge: (token: string): TokenClaims => {
      const { userId, jti } = verify('challenge', token)
      return { userId, jti }
    },
  }
}

export type Tokens = ReturnType<typeof createTokens>

/** An opaque refresh token: 256 random bits; only its SHA-256 is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url')
}
