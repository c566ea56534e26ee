/** The code of each screen behind sign-in, loaded on demand (see routes.tsx). */
export const SCREENS = {
  layout: () => import('./layout.tsx'),
  passwordReset: () => import('./pages/password-reset.tsx'),
  dashboard: () => import('./pages/dashboard.tsx'),
  catalogue: () => import('./pages/catalogue.tsx'),
  categories: () => import('./pages/categories.tsx'),
  users: () => import('./pages/users.tsx'),
  roles: () => import('./pages/roles.tsx'),
  smsTemplates: () => import('./pages/sms-templates.tsx'),
  notifications: () => import('./pages/notifications.tsx'),
  files: () => import('./pages/files.tsx'),
  profile: () => import('./pages/profile.tsx'),
}

/** Fetches every screen's code once the browser is idle: the first visit to each is instant. */
export function prefetchScreens(): void {
  const load = () => {
    for (const screen of Object.values(SCREENS)) void screen()
  }
  if ('requestIdleCallback' in window) window.requestIdleCallback(load)
  else setTimeout(load, 200)
}
