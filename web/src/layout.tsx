import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { type CSSProperties, useEffect } from 'react'
import { Link, Outlet, useLocation } from 'react-router'
import { prefetchScreens } from './screens.ts'
import { useSession } from './session.tsx'

/** Each screen and the permission that shows it; the API checks the same permission. */
export const SCREENS = [
  { path: '/', label: 'Dashboard', permission: undefined },
  { path: '/products', label: 'Products', permission: 'products:update' },
  { path: '/categories', label: 'Categories', permission: 'categories:update' },
  { path: '/users', label: 'Users', permission: 'users:read' },
  { path: '/roles', label: 'Roles', permission: 'roles:read' },
  { path: '/sms-templates', label: 'SMS templates', permission: 'notifications:read' },
  { path: '/notifications', label: 'Notifications', permission: 'notifications:read' },
  { path: '/files', label: 'Files', permission: undefined },
  { path: '/profile', label: 'Profile', permission: undefined },
] as const

export function Layout() {
  const { me, can, logout } = useSession()
  const [opened, { toggle, close }] = useDisclosure()
  const location = useLocation()
  useEffect(prefetchScreens, [])
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={1} size="h4">
              Food Fleet
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">
              {me?.email}
            </Text>
            <Button variant="default" size="xs" onClick={() => void logout()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {SCREENS.filter((screen) => !screen.permission || can(screen.permission)).map((screen) => (
          <NavLink
            key={screen.path}
            component={Link}
            to={screen.path}
            label={screen.label}
            active={location.pathname === screen.path}
            variant="filled"
            color="teal.9"
            // Hovered, the active entry keeps its shade (the next lighter one is below 4.5:1).
            style={{ '--nl-hover': 'var(--mantine-color-teal-9)' } as CSSProperties}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  )
}
