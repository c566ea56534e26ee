import {
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core'
import { type FormEvent, useState } from 'react'
import { Link, Navigate, useLocation } from 'react-router'
import { useSession } from '../session.tsx'
import { ErrorNotice } from '../ui.tsx'

export function SignInPage() {
  const { me, login, verifyTwoFactor, endedBecause } = useSession()
  const location = useLocation()
  const [challenge, setChallenge] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  if (me) return <Navigate to={(location.state as { from?: string })?.from ?? '/'} replace />

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(undefined)
    try {
      if (challenge) {
        await verifyTwoFactor(challenge, String(form.get('code')))
      } else {
        const result = await login(String(form.get('email')), String(form.get('password')))
        if (result.twoFactorRequired) setChallenge(result.challengeToken)
      }
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="lg" w={380} maw="100%" component="main">
        <form onSubmit={(event) => void submit(event)}>
          <Stack>
            <Title order={1} size="h3">
              Food Fleet admin
            </Title>
            {endedBecause && !error && <ErrorNotice error={endedBecause} />}
            {error !== undefined && <ErrorNotice error={error} />}
            {challenge ? (
              <TextInput
                name="code"
                label="Code from the SMS"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                required
                autoFocus
              />
            ) : (
              <>
                <TextInput
                  name="email"
                  type="email"
                  label="E-mail"
                  autoComplete="username"
                  required
                />
                <PasswordInput
                  name="password"
                  label="Password"
                  autoComplete="current-password"
                  required
                />
              </>
            )}
            <Button type="submit" loading={busy}>
              {challenge ? 'Verify' : 'Sign in'}
            </Button>
            <Anchor component={Link} to="/password-reset" size="sm">
              Forgot your password?
            </Anchor>
          </Stack>
        </form>
      </Paper>
    </Center>
  )
}
