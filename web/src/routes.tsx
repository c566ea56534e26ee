import type { ComponentType } from 'react'
import { createBrowserRouter, Navigate, Outlet, useLocation } from 'react-router'
import { SignInPage } from './pages/sign-in.tsx'
import { SCREENS } from './screens.ts'
import { useSession } from './session.tsx'

/** The screens behind sign-in; signed out, a visit goes to the sign-in page and comes back. */
function SignedIn() {
  const { me } = useSession()
  const location = useLocation()
  if (me === null) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />
  return <Outlet />
}

/**
 * A screen loaded when first visited: the sign-in page, the first thing most visits show, does
 * not wait for the code of the rest (which the layout then fetches while the browser is idle).
 */
const page =
  <Module extends Record<Name, ComponentType>, Name extends string>(
    load: () => Promise<Module>,
    name: Name,
  ) =>
  async () => ({ Component: (await load())[name] })

export const router = createBrowserRouter(
  [
    { path: '/sign-in', element: <SignInPage /> },
    {
      path: '/password-reset',
      lazy: page(SCREENS.passwordReset, 'PasswordResetPage'),
    },
    {
      element: <SignedIn />,
      children: [
        {
          lazy: page(SCREENS.layout, 'Layout'),
          children: [
            { index: true, lazy: page(SCREENS.dashboard, 'DashboardPage') },
            {
              path: 'products',
              lazy: page(SCREENS.catalogue, 'CataloguePage'),
            },
            {
              path: 'categories',
              lazy: page(SCREENS.categories, 'CategoriesPage'),
            },
            { path: 'users', lazy: page(SCREENS.users, 'UsersPage') },
            { path: 'roles', lazy: page(SCREENS.roles, 'RolesPage') },
            {
              path: 'sms-templates',
              lazy: page(SCREENS.smsTemplates, 'SmsTemplatesPage'),
            },
            {
              path: 'notifications',
              lazy: page(SCREENS.notifications, 'NotificationsPage'),
            },
            { path: 'files', lazy: page(SCREENS.files, 'FilesPage') },
            { path: 'profile', lazy: page(SCREENS.profile, 'ProfilePage') },
            { path: '*', element: <Navigate to="/" replace /> },
          ],
        },
      ],
    },
  ],
  { basename: '/admin' },
)
