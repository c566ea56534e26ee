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

export const superuserOnly = defineError(403, 'superuser_only', (what: string) => ({
  detail: `Only a superuser may ${what}`,
}))

export const ownAccount = defineError(403, 'own_account', (field: string) => ({
  detail: `You cannot change your own ${field}; another administrator must`,
  field,
}))

export const userOutranks = defineError(403, 'permission_not_held', (permissions: string[]) => ({
  detail: `You cannot change or delete a user who holds permissions you do not: ${permissions.join(', ')}`,
  permissions,
}))

export const roleNotHeld = defineError(
  403,
  'permission_not_held',
  (role: string, permissions: string[]) => ({
    detail: `You cannot assign role "${role}": it grants permissions you do not hold: ${permissions.join(', ')}`,
    permissions,
  }),
)

export const lastSuperuser = defineError(409, 'last_superuser', () => ({
  detail: 'The last active superuser cannot be deactivated, demoted or deleted',
}))

export const cannotDeleteSelf = defineError(409, 'cannot_delete_self', () => ({
  detail: 'You cannot delete your own account',
}))
