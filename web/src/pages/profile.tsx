import { unwrap } from '@food-fleet/client'
import {
  Alert,
  Button,
  Card,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useApi, useSession } from '../session.tsx'
import { ErrorNotice, fieldErrorsOf } from '../ui.tsx'

const formOf = (event: FormEvent<HTMLFormElement>) => {
  event.preventDefault()
  return new FormData(event.currentTarget)
}

export function ProfilePage() {
  return (
    <Stack>
      <Title order={2}>Profile</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Details />
        <Stack>
          <ChangePassword />
          <TwoFactor />
        </Stack>
      </SimpleGrid>
    </Stack>
  )
}

function Details() {
  const api = useApi()
  const { me } = useSession()
  const queryClient = useQueryClient()
  const save = useMutation({
    mutationFn: async (form: FormData) =>
      unwrap(
        await api.PATCH('/api/v1/users/me', {
          body: {
            username: String(form.get('username')),
            first_name: String(form.get('first_name')) || null,
            last_name: String(form.get('last_name')) || null,
            phone_number: String(form.get('phone_number')) || null,
          },
        }),
      ),
    onSuccess: (user) => queryClient.setQueryData(['me'], user),
  })
  const errors = fieldErrorsOf(save.error)
  if (!me) return null
  return (
    <Card withBorder>
      <form onSubmit={(event) => save.mutate(formOf(event))} noValidate>
        <Stack>
          <Title order={3} size="h4">
            Your details
          </Title>
          <Text size="sm">{me.email}</Text>
          {save.isSuccess && <Alert color="teal">Saved.</Alert>}
          {save.isError && Object.keys(errors).length === 0 && <ErrorNotice error={save.error} />}
          <TextInput
            name="username"
            label="Username"
            defaultValue={me.username}
            error={errors.username}
          />
          <TextInput
            name="first_name"
            label="First name"
            defaultValue={me.first_name ?? ''}
            error={errors.first_name}
          />
          <TextInput
            name="last_name"
            label="Last name"
            defaultValue={me.last_name ?? ''}
            error={errors.last_name}
          />
          <TextInput
            name="phone_number"
            label="Phone (for SMS codes)"
            description="E.164, e.g. +14155550123"
            defaultValue={me.phone_number ?? ''}
            error={errors.phone_number}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  )
}

function ChangePassword() {
  const api = useApi()
  const save = useMutation({
    mutationFn: async (form: FormData) =>
      unwrap(
        await api.POST('/api/v1/users/me/password', {
          body: {
            current_password: String(form.get('current_password')),
            new_password: String(form.get('new_password')),
          },
        }),
      ),
  })
  const errors = fieldErrorsOf(save.error)
  return (
    <Card withBorder>
      <form
        onSubmit={(event) => {
          const form = formOf(event)
          save.mutate(form, { onSuccess: () => (event.target as HTMLFormElement).reset() })
        }}
        noValidate
      >
        <Stack>
          <Title order={3} size="h4">
            Password
          </Title>
          {save.isSuccess && (
            <Alert color="teal">Changed. Your other sessions have been signed out.</Alert>
          )}
          {save.isError && Object.keys(errors).length === 0 && <ErrorNotice error={save.error} />}
          <PasswordInput
            name="current_password"
            label="Current password"
            autoComplete="current-password"
            required
            error={errors.current_password}
          />
          <PasswordInput
            name="new_password"
            label="New password"
            autoComplete="new-password"
            required
            error={errors.new_password}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  )
}

function TwoFactor() {
  const api = useApi()
  const { me } = useSession()
  const queryClient = useQueryClient()
  const [codeSent, setCodeSent] = useState(false)
  const refreshMe = () => queryClient.invalidateQueries({ queryKey: ['me'] })
  const enable = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/auth/2fa/enable')),
    onSuccess: () => setCodeSent(true),
  })
  const confirm = useMutation({
    mutationFn: async (code: string) =>
      unwrap(await api.POST('/api/v1/auth/2fa/confirm', { body: { code } })),
    onSuccess: async () => {
      setCodeSent(false)
      await refreshMe()
    },
  })
  const disable = useMutation({
    mutationFn: async (password: string) =>
      unwrap(await api.POST('/api/v1/auth/2fa/disable', { body: { password } })),
    onSuccess: refreshMe,
  })
  const error = enable.error ?? confirm.error ?? disable.error
  if (!me) return null
  return (
    <Card withBorder>
      <Stack>
        <Title order={3} size="h4">
          Two-factor sign-in
        </Title>
        <Text size="sm">
          {me.two_factor_enabled
            ? 'On: signing in asks for a code texted to your phone.'
            : 'Off. Turn it on to be asked for a code texted to your phone when you sign in.'}
        </Text>
        {error && <ErrorNotice error={error} />}
        {me.two_factor_enabled ? (
          <form onSubmit={(event) => disable.mutate(String(formOf(event).get('password')))}>
            <Stack>
              <PasswordInput
                name="password"
                label="Your password"
                autoComplete="current-password"
                required
              />
              <Group justify="flex-end">
                <Button type="submit" color="red" variant="light" loading={disable.isPending}>
                  Turn off
                </Button>
              </Group>
            </Stack>
          </form>
        ) : codeSent ? (
          <form onSubmit={(event) => confirm.mutate(String(formOf(event).get('code')))}>
            <Stack>
              <TextInput
                name="code"
                label="Code from the SMS"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
              />
              <Group justify="flex-end">
                <Button type="submit" loading={confirm.isPending}>
                  Confirm
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Group justify="flex-end">
            <Button
              onClick={() => enable.mutate()}
              loading={enable.isPending}
              disabled={!me.phone_number}
            >
              Send me a code
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  )
}
