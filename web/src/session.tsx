import {
  type ApiError,
  AuthSession,
  type SignIn,
  type User,
  unwrap,
  webStorage,
} from '@food-fleet/client'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react'

/** What the signed-in person may do, from `GET /users/me/permissions`; the API stays the authority. */
export interface Access {
  isSuperuser: boolean
  permissions: ReadonlySet<string>
}

interface SessionState {
  session: AuthSession
  /** The current access token, for the one call `fetch` cannot make: an upload with progress. */
  accessToken(): string | undefined
  /** The signed-in user, or null when signed out (undefined while loading). */
  me: User | null | undefined
  access: Access | undefined
  /** True when the person holds `resource:action` (a superuser holds everything). */
  can(permission: string): boolean
  login(email: string, password: string): Promise<SignIn>
  verifyTwoFactor(challengeToken: string, code: string): Promise<void>
  logout(): Promise<void>
  /** Why the last session ended without a sign-out, for the sign-in page to say. */
  endedBecause: string | undefined
}

const SessionContext = createContext<SessionState | undefined>(undefined)

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient()
  const [signedIn, setSignedIn] = useState(false)
  const [endedBecause, setEndedBecause] = useState<string>()
  // Per tab, gone when it closes: a shared computer does not keep an admin signed in.
  const storage = useMemo(() => webStorage('food-fleet-admin', window.sessionStorage), [])
  const session = useMemo(
    () =>
      new AuthSession({
        baseUrl: window.location.origin,
        storage,
        onSignedOut(reason) {
          if (reason === 'refresh_refused') setEndedBecause('Your session ended. Sign in again.')
          setSignedIn(false)
          queryClient.clear()
        },
      }),
    [queryClient, storage],
  )
  const active = signedIn || session.signedIn
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => unwrap(await session.api.GET('/api/v1/users/me')),
    enabled: active,
  })
  const permissions = useQuery({
    queryKey: ['me', 'permissions'],
    queryFn: async () => unwrap(await session.api.GET('/api/v1/users/me/permissions')),
    enabled: active,
  })
  const access: Access | undefined = permissions.data && {
    isSuperuser: permissions.data.is_superuser,
    permissions: new Set(permissions.data.permissions),
  }
  const value: SessionState = {
    session,
    accessToken: () => storage.load()?.access_token,
    me: !active || me.isError ? null : me.data,
    access,
    can: (permission) =>
      access !== undefined && (access.isSuperuser || access.permissions.has(permission)),
    async login(email, password) {
      const result = await session.login(email, password)
      if (!result.twoFactorRequired) signInDone()
      return result
    },
    async verifyTwoFactor(challengeToken, code) {
      await session.verifyTwoFactor(challengeToken, code)
      signInDone()
    },
    async logout() {
      await session.logout()
      setEndedBecause(undefined)
    },
    endedBecause,
  }
  function signInDone() {
    setEndedBecause(undefined)
    setSignedIn(true)
    void queryClient.invalidateQueries({ queryKey: ['me'] })
  }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionState {
  const state = useContext(SessionContext)
  if (!state) throw new Error('useSession outside SessionProvider')
  return state
}

/** The typed API of the signed-in session. */
export const useApi = () => useSession().session.api

export type { ApiError }
