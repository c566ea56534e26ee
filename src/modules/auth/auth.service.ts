import { createHash, randomUUID } from 'node:crypto'
import { forbidden } from '../../core/auth/auth.errors.ts'
import type { Passwords } from '../../core/auth/passwords.ts'
import { newOpaqueToken, type Tokens } from '../../core/auth/tokens.ts'
import type { Clock } from '../../core/clock.ts'
import type { UsersService } from '../users/users.service.ts'
import {
  invalidCredentials,
  invalidRefreshToken,
  refreshTokenReused,
  wrongCurrentPassword,
} from './auth.errors.ts'
import type { AuthRepository } from './auth.repository.ts'

export interface IssuedTokens {
  access_token: string
  refresh_token: string
  token_type: 'bearer'
  expires_in: number
}

/** Where a session was started from, kept with its refresh tokens. */
export interface ClientInfo {
  userAgent?: string
  ip?: string
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex')

export function createAuthService({
  authRepository,
  usersService,
  passwords,
  tokens,
  clock,
  refreshTtlDays,
}: {
  authRepository: AuthRepository
  usersService: UsersService
  passwords: Passwords
  tokens: Tokens
  clock: Clock
  refreshTtlDays: number
}) {
  const refreshTtlMs = refreshTtlDays * 86_400_000

  function refreshRow(userId: number, familyId: string, client: ClientInfo) {
    const token = newOpaqueToken()
    const now = clock.now()
    return {
      token,
      values: {
        tokenHash: sha256(token),
        familyId,
        userId,
        expiresAt: new Date(now.getTime() + refreshTtlMs),
        userAgent: client.userAgent?.slice(0, 255) ?? null,
        ip: client.ip?.slice(0, 45) ?? null,
      },
    }
  }

  function tokensFor(userId: number, familyId: string, refreshToken: string): IssuedTokens {
    const access = tokens.signAccess(userId, familyId)
    return {
      access_token: access.token,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: access.expiresIn,
    }
  }

  /** A new session: a new refresh-token family. */
  async function startSession(userId: number, client: ClientInfo): Promise<IssuedTokens> {
    const familyId = randomUUID()
    const { token, values } = refreshRow(userId, familyId, client)
    await authRepository.insert(values)
    return tokensFor(userId, familyId, token)
  }

  return {
    /** Unknown email and wrong password cost the same time and get the same answer. */
    async login(email: string, password: string, client: ClientInfo): Promise<IssuedTokens> {
      const user = await usersService.findByEmail(email)
      if (!user) {
        await passwords.verifyDummy(password)
        throw invalidCredentials()
      }
      if (!(await passwords.verify(user.passwordHash, password))) throw invalidCredentials()
      if (!user.isActive) throw forbidden('Inactive user')
      if (passwords.needsRehash(user.passwordHash)) await usersService.rehash(user.id, password)
      return startSession(user.id, client)
    },

    /**
     * Rotates: the presented token is spent and a new one of the same family issued, in one
     * transaction with the row locked. A spent token presented again revokes its whole family.
     */
    async refresh(refreshToken: string, client: ClientInfo): Promise<IssuedTokens> {
      const now = clock.now()
      const outcome = await authRepository.transaction(async (repository) => {
        const current = await repository.findByHashForUpdate(sha256(refreshToken))
        if (!current) return { kind: 'invalid' as const }
        if (current.revokedAt) {
          if (current.replacedBy == null) return { kind: 'invalid' as const }
          await repository.revokeFamily(current.familyId, now)
          return { kind: 'reused' as const }
        }
        if (current.expiresAt <= now) return { kind: 'invalid' as const }
        const { token, values } = refreshRow(current.userId, current.familyId, client)
        const next = await repository.insert(values)
        await repository.markRotated(current.id, next.id, now)
        return {
          kind: 'rotated' as const,
          token,
          userId: current.userId,
          familyId: current.familyId,
        }
      })
      // The family's revocation above is committed before this answer.
      if (outcome.kind === 'reused') throw refreshTokenReused()
      if (outcome.kind === 'invalid') throw invalidRefreshToken()
      const principal = await usersService.loadPrincipal(outcome.userId)
      if (!principal?.isActive) {
        await authRepository.revokeFamily(outcome.familyId, now)
        throw principal ? forbidden('Inactive user') : invalidRefreshToken()
      }
      return tokensFor(outcome.userId, outcome.familyId, outcome.token)
    },

    /** Ends the token's session. Unknown tokens are ignored: logout never reveals anything. */
    async logout(refreshToken: string): Promise<void> {
      const row = await authRepository.findByHash(sha256(refreshToken))
      if (row) await authRepository.revokeFamily(row.familyId, clock.now())
    },

    /** Changes the password and ends every other session of the user. */
    async changePassword(
      userId: number,
      currentPassword: string,
      newPassword: string,
      keepSessionId?: string,
    ): Promise<void> {
      const user = await usersService.get(userId)
      if (!(await passwords.verify(user.passwordHash, currentPassword))) {
        throw wrongCurrentPassword()
      }
      await usersService.setPassword(userId, newPassword)
      await authRepository.revokeUserSessions(userId, clock.now(), keepSessionId)
    },
  }
}

export type AuthService = ReturnType<typeof createAuthService>
