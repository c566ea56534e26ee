import { unwrap } from '@food-fleet/client'
import {
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { type FormEvent, useState } from 'react'
import { Link } from 'react-router'
import { useApi } from '../session.tsx'
import { ErrorNotice, fieldErrorsOf } from '../ui.tsx'

/** The public reset: ask for a code (by SMS or e-mail), then set a new password with it. */
export function PasswordResetPage() {
  const api = useApi()
  const [email, setEmail] = useState<string>()
  const [done, setDone] = useState(false)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(undefined)
    try {
      if (email === undefined) {
        const address = String(form.get('email'))
        unwrap(await api.POST('/api/v1/auth/password-reset/request', { body: { email: address } }))
        setEmail(address)
      } else {
        unwrap(
          await api.POST('/api/v1/auth/password-reset/confirm', {
            body: {
              email,
              code: String(form.get('code')),
              new_password: String(form.get('new_password')),
            },
          }),
        )
        setDone(true)
      }
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }

  const fields = fieldErrorsOf(error)
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="lg" w={380} maw="100%" component="main">
        <Stack>
          <Title order={1} size="h3">
            Reset your password
          </Title>
          {done ? (
            <Text>Your password is changed, and every session of yours has ended.</Text>
          ) : (
            <form onSubmit={(event) => void submit(event)}>
              <Stack>
                {error !== undefined && <ErrorNotice error={error} />}
                {email === undefined ? (
                  <TextInput name="email" type="email" label="E-mail" required />
                ) : (
                  <>
                    <Text size="sm">
                      If {email} has an account, a code is on its way by SMS or e-mail.
                    </Text>
                    <TextInput
                      name="code"
                      label="Code"
                      inputMode="numeric"
                      autoComplete="one-time-code"
                      required
                      error={fields.code}
                    />
                    <PasswordInput
                      name="new_password"
                      label="New password"
                      autoComplete="new-password"
                      required
                      error={fields.new_password}
                    />
                  </>
                )}
                <Button type="submit" loading={busy}>
                  {email === undefined ? 'Send me a code' : 'Set the new password'}
                </Button>
              </Stack>
            </form>
          )}
          <Anchor component={Link} to="/sign-in" size="sm">
            Back to sign-in
          </Anchor>
        </Stack>
      </Paper>
    </Center>
  )
}
