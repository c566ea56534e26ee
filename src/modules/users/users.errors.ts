import { defineError } from '../../core/errors.ts'

export const userNotFound = defineError(404, 'not_found', (userId: number) => ({
  detail: `User with ID ${userId} not found`,
  user_id: userId,
}))

export const emailTaken = defineError(409, 'email_taken', () => ({
  detail: 'A user with this email already exists',
}))

export const usernameTaken = defineError(409, 'username_taken', () => ({
  detail: 'A user with this username already exists',
}))

export const weakPassword = defineError(
  422,
  'validation_failed',
  (field: string, reason: string) => ({
    detail: `${field} ${reason}`,
    errors: [{ field, message: reason }],
  }),
)

export const unknownRole = defineError(422, 'validation_failed', (roleId: number) => ({
  detail: `Role with ID ${roleId} does not exist`,
  errors: [{ field: 'role_id', message: `no role with ID ${roleId}` }],
}))

export const superuserOnly = defineError(403, 'forbidden', (field: string) => ({
  detail: `Only a superuser may change ${field}`,
}))

export const cannotDeleteSelf = defineError(409, 'cannot_delete_self', () => ({
  detail: 'You cannot delete your own account',
}))
