import '@mantine/core/styles.css'
import { Badge, type CSSVariablesResolver, createTheme, MantineProvider } from '@mantine/core'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from 'react-router'
import { router } from './routes.tsx'
import { SessionProvider } from './session.tsx'

const queryClient = new QueryClient({
  defaultOptions: {
    // A refused call (4xx) will be refused again: only network trouble and 5xx are retried.
    queries: { retry: (count, error) => count < 2 && !isClientError(error), staleTime: 10_000 },
  },
})

function isClientError(error: unknown): boolean {
  const status = (error as { status?: number }).status
  return status !== undefined && status >= 400 && status < 500
}

// Shades chosen for a 4.5:1 contrast (WCAG AA) of links, buttons and secondary text on white.
const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 9,
  defaultRadius: 'md',
  components: { Badge: Badge.extend({ defaultProps: { variant: 'filled' } }) },
})
const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
})

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
)
