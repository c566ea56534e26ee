import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { activeUser, principalOf, publicRoute } from '../../core/auth/access.ts'
import type { App } from '../../core/module.ts'
import { parseRate, type RateRule } from '../../core/rate-limit.ts'
import { problemResponses } from '../../core/schemas.ts'
import { toUser } from '../users/users.mappers.ts'
import { User, UserRegister } from '../users/users.schemas.ts'
import type { UsersService } from '../users/users.service.ts'
import {
  LoginRequest,
  PasswordChange,
  PasswordResetConfirm,
  PasswordResetRequest,
  RefreshRequest,
  Tokens,
  TwoFactorChallenge,
  TwoFactorConfirm,
  TwoFactorDisable,
  TwoFactorVerify,
} from './auth.schemas.ts'
import type { AuthService, ClientInfo } from './auth.service.ts'

function clientOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent']
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined }
}

const emailOf = (request: FastifyRequest) =>
  String((request.body as { email?: unknown } | undefined)?.email ?? '')
    .trim()
    .toLowerCase()

export interface AuthRateLimits {
  login: RateRule
  loginIp: RateRule
  signup: RateRule
}

/** Codes sent to one address: bounds the SMS and mail anyone can make us send to a victim. */
const CODES_PER_ADDRESS = parseRate('5/hour') as RateRule

export function rateLimitsOf(config: {
  LOGIN_RATE_LIMIT: string
  LOGIN_IP_RATE_LIMIT: string
  SIGNUP_RATE_LIMIT: string
}): AuthRateLimits {
  // The config schema already checked the format.
  return {
    login: parseRate(config.LOGIN_RATE_LIMIT) as RateRule,
    loginIp: parseRate(config.LOGIN_IP_RATE_LIMIT) as RateRule,
    signup: parseRate(config.SIGNUP_RATE_LIMIT) as RateRule,
  }
}

export function registerAuthRoutes(
  app: App,
  {
    authService,
    usersService,
    prefix,
    limits,
  }: {
    authService: AuthService
    usersService: Pick<UsersService, 'register'>
    prefix: string
    limits: AuthRateLimits
  },
) {
  const base = `${prefix}/auth`
  const signupLimit = [{ name: 'signup-ip', rule: limits.signup, key: (r: FastifyRequest) => r.ip }]

  app.post(
    `${base}/register`,
    {
      config: { ...publicRoute, rateLimits: signupLimit },
      schema: {
        operationId: 'register',
        summary: 'Create an account',
        description:
          'Creates an active account without a role and queues the welcome email. The email is matched case-insensitively; the password needs 8–128 characters, not all letters or all digits.',
        body: UserRegister,
        response: { 201: User, ...problemResponses(409, 422, 429) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toUser(await usersService.register(request.body))),
  )

  app.post(
    `${base}/login`,
    {
      config: {
        ...publicRoute,
        noStore: true,
        rateLimits: [
          { name: 'login-ip', rule: limits.loginIp, key: (r) => r.ip },
          { name: 'login', rule: limits.login, key: (r) => `${r.ip}|${emailOf(r)}` },
        ],
      },
      schema: {
        operationId: 'login',
        summary:
          'Exchange email and password for tokens (with two-factor sign-in on: a challenge, and a code by SMS)',
        description:
          'Answers an access token (ACCESS_TOKEN_EXPIRE_MINUTES) and a refresh token. With two-factor sign-in on, answers a challenge instead and texts a code, to be sent to /auth/2fa/verify.',
        body: LoginRequest,
        response: {
          200: Type.Union([Tokens, TwoFactorChallenge]),
          ...problemResponses(401, 403, 422, 429),
        },
      },
    },
    async (request) =>
      authService.login(request.body.email, request.body.password, clientOf(request)),
  )

  app.post(
    `${base}/refresh`,
    {
      config: { ...publicRoute, noStore: true },
      schema: {
        operationId: 'refreshTokens',
        summary: 'Rotate a refresh token for new tokens (a reused token revokes its session)',
        description:
          'Spends the refresh token and answers a new pair. A refresh token used twice revokes its whole session.',
        body: RefreshRequest,
        response: { 200: Tokens, ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => authService.refresh(request.body.refresh_token, clientOf(request)),
  )

  app.post(
    `${base}/logout`,
    {
      config: publicRoute,
      schema: {
        operationId: 'logout',
        summary: "Revoke a refresh token's session (401 when the token is not live)",
        description: "Ends the refresh token's session: its access tokens stop working too.",
        body: RefreshRequest,
        response: { 204: Type.Null(), ...problemResponses(401, 422) },
      },
    },
    async (request, reply) => {
      await authService.logout(request.body.refresh_token)
      return reply.code(204).send(null)
    },
  )

  app.post(
    `${base}/2fa/verify`,
    {
      config: {
        ...publicRoute,
        noStore: true,
        rateLimits: [{ name: 'login-ip', rule: limits.loginIp, key: (r) => r.ip }],
      },
      schema: {
        operationId: 'verifyTwoFactor',
        summary: 'Finish a two-factor sign-in with the SMS code (5 tries per challenge)',
        description: 'Exchanges a challenge token and the code texted at login for tokens.',
        body: TwoFactorVerify,
        response: { 200: Tokens, ...problemResponses(401, 403, 422, 429) },
      },
    },
    async (request) =>
      authService.verifyTwoFactor(
        request.body.challenge_token,
        request.body.code,
        clientOf(request),
      ),
  )

  app.post(
    `${base}/password-reset/request`,
    {
      config: {
        ...publicRoute,
        rateLimits: [
          ...signupLimit,
          { name: 'reset-address', rule: CODES_PER_ADDRESS, key: emailOf },
        ],
      },
      schema: {
        operationId: 'requestPasswordReset',
        summary:
          'Send a 6-digit reset code (SMS when the account has a phone, else email); always 202',
        description:
          'Always answers 202, whether or not the email has an account; the code is valid for 15 minutes.',
        body: PasswordResetRequest,
        response: { 202: Type.Null(), ...problemResponses(422, 429) },
      },
    },
    async (request, reply) => {
      await authService.requestPasswordReset(request.body.email)
      return reply.code(202).send(null)
    },
  )

  app.post(
    `${base}/password-reset/confirm`,
    {
      config: {
        ...publicRoute,
        rateLimits: [{ name: 'login-ip', rule: limits.loginIp, key: (r) => r.ip }],
      },
      schema: {
        operationId: 'confirmPasswordReset',
        summary: 'Set a new password with the code; ends every session of the account',
        description:
          'Sets the new password when the code is right; a wrong code counts a try, and the fifth spends it.',
        body: PasswordResetConfirm,
        response: { 204: Type.Null(), ...problemResponses(400, 422, 429) },
      },
    },
    async (request, reply) => {
      const { email, code, new_password } = request.body
      await authService.confirmPasswordReset(email, code, new_password)
      return reply.code(204).send(null)
    },
  )

  app.post(
    `${base}/2fa/enable`,
    {
      config: activeUser,
      schema: {
        operationId: 'enableTwoFactor',
        summary:
          'Send a code by SMS to your phone_number; confirm it to turn two-factor sign-in on',
        description:
          'Needs a phone_number on your profile; texts a code to confirm at /auth/2fa/confirm.',
        response: { 202: Type.Null(), ...problemResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      await authService.enableTwoFactor(principalOf(request).userId)
      return reply.code(202).send(null)
    },
  )

  app.post(
    `${base}/2fa/confirm`,
    {
      config: activeUser,
      schema: {
        operationId: 'confirmTwoFactor',
        summary: 'Turn two-factor sign-in on with the code from /2fa/enable',
        description:
          'Turns two-factor sign-in on when the code texted by /auth/2fa/enable is right.',
        body: TwoFactorConfirm,
        response: { 200: User, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) =>
      toUser(await authService.confirmTwoFactor(principalOf(request).userId, request.body.code)),
  )

  app.post(
    `${base}/2fa/disable`,
    {
      config: activeUser,
      schema: {
        operationId: 'disableTwoFactor',
        summary: 'Turn two-factor sign-in off (needs your password)',
        description: 'Turns two-factor sign-in off; needs your current password.',
        body: TwoFactorDisable,
        response: { 200: User, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) =>
      toUser(
        await authService.disableTwoFactor(principalOf(request).userId, request.body.password),
      ),
  )

  app.post(
    `${prefix}/users/me/password`,
    {
      config: activeUser,
      schema: {
        operationId: 'changePassword',
        summary: 'Change your password (ends your other sessions)',
        description: 'Needs your current password; every other session of yours ends.',
        body: PasswordChange,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      await authService.changePassword(
        principal.userId,
        request.body.current_password,
        request.body.new_password,
        principal.sessionId,
      )
      return reply.code(204).send(null)
    },
  )
}
