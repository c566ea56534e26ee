import { createHash, createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import { forbidden } from '../../core/auth/auth.errors.ts'
import type { Passwords } from '../../core/auth/passwords.ts'
import type { SessionLiveness } from '../../core/auth/sessions.ts'
import { newOpaqueToken, type Tokens } from '../../core/auth/tokens.ts'
import type { Clock } from '../../core/clock.ts'
import type { Jobs } from '../../core/jobs.ts'
import type { Logger } from '../../core/logger.ts'
import type { NotificationsService } from '../notifications/notifications.service.ts'
import type { UsersService, UserWithRole } from '../users/users.service.ts'
import {
  invalidCode,
  invalidCredentials,
  invalidLoginCode,
  invalidRefreshToken,
  phoneNumberRequired,
  refreshTokenReused,
  twoFactorAlreadyOn,
  wrongCurrentPassword,
} from './auth.errors.ts'
import { passwordResetRequested } from './auth.jobs.ts'
import type { CodePurpose } from './auth.models.ts'
import type { AuthRepository } from './auth.repository.ts'
import type { IssuedTokens, TwoFactorChallenge } from './auth.schemas.ts'

/** How long a code is valid, and how many wrong tries it survives. */
export const CODE_TTL_MINUTES = 15
export const CODE_MAX_ATTEMPTS = 5

/** Where a session was started from, kept with its refresh tokens. */
export interface ClientInfo {
  userAgent?: string
  ip?: string
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex')

export function createAuthService({
  authRepository,
  usersService,
  notificationsService,
  jobs,
  passwords,
  tokens,
  sessions,
  clock,
  logger,
  refreshTtlDays,
  codeSecret,
}: {
  authRepository: AuthRepository
  usersService: Pick<
    UsersService,
    | 'findByEmail'
    | 'get'
    | 'loadPrincipal'
    | 'checkPassword'
    | 'setPassword'
    | 'rehash'
    | 'setTwoFactor'
  >
  notificationsService: Pick<NotificationsService, 'email' | 'sms'>
  jobs: Jobs
  passwords: Passwords
  tokens: Tokens
  /** Told of every session that ends, so its access tokens stop working at once. */
  sessions: SessionLiveness
  clock: Clock
  logger: Logger
  refreshTtlDays: number
  /** Keys the HMAC of stored codes (SECRET_KEY). */
  codeSecret: string
}) {
  const refreshTtlMs = refreshTtlDays * 86_400_000

  const codeHash = (userId: number, purpose: CodePurpose, code: string) =>
    createHmac('sha256', codeSecret).update(`${purpose}:${userId}:${code}`).digest('hex')

  /**
   * A fresh 6-digit code for the user, stored as its HMAC, and its message queued in the same
   * transaction (by SMS to the phone, else by email).
   */
  async function issueCode(
    user: { id: number; email: string; username: string; phoneNumber: string | null },
    purpose: CodePurpose,
    via: 'sms' | 'sms-or-email',
  ): Promise<void> {
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0')
    const now = clock.now()
    const expiresAt = new Date(now.getTime() + CODE_TTL_MINUTES * 60_000)
    await authRepository.transaction(async (repository, tx) => {
      await repository.replaceCode({
        userId: user.id,
        purpose,
        codeHash: codeHash(user.id, purpose, code),
        expiresAt,
        createdAt: now,
      })
      const template = purpose === 'password_reset' ? 'password_reset' : '2fa_code'
      if (user.phoneNumber) {
        await notificationsService.sms(tx, {
          to: user.phoneNumber,
          template,
          variables: { code },
          expiresAt,
        })
      } else if (via === 'sms-or-email') {
        await notificationsService.email(tx, {
          to: user.email,
          subject: 'Your password reset code',
          template: 'auth/templates/password_reset.html',
          context: { username: user.username, code, minutes: CODE_TTL_MINUTES },
          expiresAt,
        })
      } else {
        throw phoneNumberRequired()
      }
    })
  }

  /**
   * Checks a code against the user's live one: a wrong code counts a try, the fifth wrong try
   * spends it, a right one is spent at once (single use, even under concurrent tries).
   */
  async function spendCode(userId: number, purpose: CodePurpose, code: string): Promise<boolean> {
    const now = clock.now()
    const live = await authRepository.liveCode(userId, purpose, now)
    if (!live || live.attempts >= CODE_MAX_ATTEMPTS) return false
    const expected = Buffer.from(live.codeHash, 'hex')
    const given = Buffer.from(codeHash(userId, purpose, code), 'hex')
    if (!timingSafeEqual(expected, given)) {
      await authRepository.countCodeAttempt(live.id)
      return false
    }
    return authRepository.useCode(live.id, now)
  }

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

  async function endSession(familyId: string): Promise<void> {
    await authRepository.revokeFamily(familyId, clock.now())
    await sessions.ended([familyId])
  }

  /** Ends every session of the user but `keepSessionId`'s. */
  async function endUserSessions(userId: number, keepSessionId?: string): Promise<void> {
    await sessions.ended(
      await authRepository.revokeUserSessions(userId, clock.now(), keepSessionId),
    )
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
    async login(
      email: string,
      password: string,
      client: ClientInfo,
    ): Promise<IssuedTokens | TwoFactorChallenge> {
      const user = await usersService.findByEmail(email)
      if (!user) {
        await passwords.verifyDummy(password)
        throw invalidCredentials()
      }
      if (!(await passwords.verify(user.passwordHash, password))) throw invalidCredentials()
      if (!user.isActive) throw forbidden('Inactive user')
      if (passwords.needsRehash(user.passwordHash)) await usersService.rehash(user.id, password)
      if (user.twoFactorEnabled && user.phoneNumber) {
        await issueCode(user, '2fa_login', 'sms')
        return {
          two_factor_required: true,
          challenge_token: tokens.signChallenge(user.id, CODE_TTL_MINUTES * 60).token,
        }
      }
      return startSession(user.id, client)
    },

    /** The second step of a two-factor sign-in: the challenge from login and the SMS code. */
    async verifyTwoFactor(
      challengeToken: string,
      code: string,
      client: ClientInfo,
    ): Promise<IssuedTokens> {
      const { userId } = tokens.verifyChallenge(challengeToken)
      if (!(await spendCode(userId, '2fa_login', code))) throw invalidLoginCode()
      const principal = await usersService.loadPrincipal(userId)
      if (!principal) throw invalidLoginCode()
      if (!principal.isActive) throw forbidden('Inactive user')
      return startSession(userId, client)
    },

    /** Queues the request; the job sends the code if the email has an active account. */
    async requestPasswordReset(email: string): Promise<void> {
      await jobs.enqueue(passwordResetRequested, { email: email.trim().toLowerCase() })
    },

    /** The job behind `requestPasswordReset`. */
    async sendPasswordResetCode(email: string): Promise<void> {
      const user = await usersService.findByEmail(email)
      if (!user?.isActive) {
        logger.info('password reset requested for an unknown or inactive account')
        return
      }
      await issueCode(user, 'password_reset', 'sms-or-email')
    },

    /** Sets the new password with a valid code and ends every session of the user. */
    async confirmPasswordReset(email: string, code: string, newPassword: string): Promise<void> {
      usersService.checkPassword('new_password', newPassword)
      const user = await usersService.findByEmail(email)
      if (!user?.isActive || !(await spendCode(user.id, 'password_reset', code))) {
        throw invalidCode()
      }
      await usersService.setPassword(user.id, newPassword)
      await endUserSessions(user.id)
    },

    /** Ends every session of a user (deactivated, or signed out everywhere). */
    endUserSessions: (userId: number) => endUserSessions(userId),

    /** Sends a code to the user's phone; confirming it turns two-factor sign-in on. */
    async enableTwoFactor(userId: number): Promise<void> {
      const user = await usersService.get(userId)
      if (user.twoFactorEnabled) throw twoFactorAlreadyOn()
      if (!user.phoneNumber) throw phoneNumberRequired()
      await issueCode(user, '2fa_setup', 'sms')
    },

    async confirmTwoFactor(userId: number, code: string): Promise<UserWithRole> {
      if (!(await spendCode(userId, '2fa_setup', code))) throw invalidCode()
      return usersService.setTwoFactor(userId, true)
    },

    async disableTwoFactor(userId: number, password: string): Promise<UserWithRole> {
      const user = await usersService.get(userId)
      if (!(await passwords.verify(user.passwordHash, password))) throw wrongCurrentPassword()
      return usersService.setTwoFactor(userId, false)
    },

    /** The nightly cleanup job; logs what it removed. */
    async cleanupExpired(): Promise<{ refreshTokens: number; codes: number }> {
      const removed = await authRepository.deleteExpired(clock.now())
      logger.info(removed, 'removed expired refresh tokens and codes')
      return removed
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
          return { kind: 'reused' as const, familyId: current.familyId }
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
      if (outcome.kind === 'reused') {
        await sessions.ended([outcome.familyId])
        throw refreshTokenReused()
      }
      if (outcome.kind === 'invalid') throw invalidRefreshToken()
      const principal = await usersService.loadPrincipal(outcome.userId)
      if (!principal?.isActive) {
        await endSession(outcome.familyId)
        throw principal ? forbidden('Inactive user') : invalidRefreshToken()
      }
      return tokensFor(outcome.userId, outcome.familyId, outcome.token)
    },

    /** Ends the token's session; 401 for a token that is not live (already ended, rotated, unknown). */
    async logout(refreshToken: string): Promise<void> {
      const row = await authRepository.findByHash(sha256(refreshToken))
      if (!row || row.revokedAt || row.expiresAt <= clock.now()) throw invalidRefreshToken()
      await endSession(row.familyId)
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
      await endUserSessions(userId, keepSessionId)
    },
  }
}

export type AuthService = ReturnType<typeof createAuthService>
