import createClient, { type Client } from 'openapi-fetch'
import { ApiError, unwrap } from './errors.ts'
import type { paths } from './schema.ts'
import { memoryStorage, type TokenStorage, type Tokens } from './storage.ts'

export type SignedOutReason =
  /** `logout()` was called. */
  | 'logout'
  /** The refresh token was refused: expired, revoked, or reused (its session is then revoked). */
  | 'refresh_refused'

export interface SessionOptions {
  /** Where the API is, e.g. `http://localhost:8000` (its paths start with `/api/v1`). */
  baseUrl: string
  /** Where tokens are kept: `memoryStorage()` (the default) or `webStorage()` in a browser. */
  storage?: TokenStorage
  /** The fetch to use (the global one by default). */
  fetch?: (request: Request) => Promise<Response>
  /** Told when the session ends, so the app can show its sign-in page. */
  onSignedOut?(reason: SignedOutReason, error?: ApiError): void
}

export type SignIn =
  | { twoFactorRequired: false }
  /** Two-factor sign-in is on: a code was texted; send it with `verifyTwoFactor`. */
  | { twoFactorRequired: true; challengeToken: string }

/**
 * A signed-in user's access to the API (the guide's `AuthService`, done right): `api` attaches
 * the access token to every call; a call answered 401 refreshes the tokens once and is sent
 * again once. However many calls fail at the same moment, one refresh is made and all of them
 * wait for it. A refused refresh signs out and says so through `onSignedOut`.
 */
export class AuthSession {
  /** The typed client: `api.GET('/api/v1/users/me')`. */
  readonly api: Client<paths>
  readonly #storage: TokenStorage
  readonly #fetch: (request: Request) => Promise<Response>
  readonly #public: Client<paths>
  readonly #onSignedOut: SessionOptions['onSignedOut']
  #refreshing: Promise<boolean> | undefined

  constructor(options: SessionOptions) {
    this.#storage = options.storage ?? memoryStorage()
    this.#fetch = options.fetch ?? ((request) => fetch(request))
    this.#onSignedOut = options.onSignedOut
    this.#public = createClient<paths>({ baseUrl: options.baseUrl, fetch: this.#fetch })
    this.api = createClient<paths>({
      baseUrl: options.baseUrl,
      fetch: (request) => this.#send(request),
    })
  }

  get signedIn(): boolean {
    return this.#storage.load() !== undefined
  }

  /** Signs in; with two-factor sign-in on, answers the challenge for `verifyTwoFactor`. */
  async login(email: string, password: string): Promise<SignIn> {
    const answer = unwrap(
      await this.#public.POST('/api/v1/auth/login', { body: { email, password } }),
    )
    if ('two_factor_required' in answer) {
      return { twoFactorRequired: true, challengeToken: answer.challenge_token }
    }
    this.#storage.save(answer)
    return { twoFactorRequired: false }
  }

  /** Finishes a two-factor sign-in with the texted code. */
  async verifyTwoFactor(challengeToken: string, code: string): Promise<void> {
    const tokens = unwrap(
      await this.#public.POST('/api/v1/auth/2fa/verify', {
        body: { challenge_token: challengeToken, code },
      }),
    )
    this.#storage.save(tokens)
  }

  /** Ends the session on the server (its tokens stop working everywhere), then here. */
  async logout(): Promise<void> {
    const tokens = this.#storage.load()
    this.#storage.save(undefined)
    if (tokens) {
      // A session the server had already ended answers 401: signed out all the same.
      await this.#public.POST('/api/v1/auth/logout', {
        body: { refresh_token: tokens.refresh_token },
      })
    }
    this.#onSignedOut?.('logout')
  }

  /**
   * Exchanges the refresh token for new tokens, once however many callers ask at the same
   * moment. `false` when there was nothing to refresh or the server refused (signed out then).
   */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  async #refresh(): Promise<boolean> {
    const tokens = this.#storage.load()
    if (!tokens) return false
    const { data, response, error } = await this.#public.POST('/api/v1/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
    })
    if (data) {
      this.#storage.save(data)
      return true
    }
    const refusal = ApiError.fromResponse(response, error)
    // Only a refused token ends the session; a server that is down or busy does not.
    if (response.status !== 401 && response.status !== 403) throw refusal
    this.#storage.save(undefined)
    this.#onSignedOut?.('refresh_refused', refusal)
    return false
  }

  async #send(request: Request): Promise<Response> {
    const sent = this.#storage.load()
    if (!sent) return this.#fetch(request)
    const again = request.clone()
    const response = await this.#fetch(withBearer(request, sent.access_token))
    if (response.status !== 401) return response
    // Another call may have refreshed while this one was out: then only send it again.
    const current = this.#storage.load()
    const fresh = current && current.access_token !== sent.access_token
    if (!fresh && !(await this.refresh())) return response
    const tokens = this.#storage.load() as Tokens
    return this.#fetch(withBearer(again, tokens.access_token))
  }
}

function withBearer(request: Request, accessToken: string): Request {
  const headers = new Headers(request.headers)
  headers.set('authorization', `Bearer ${accessToken}`)
  return new Request(request, { headers })
}
