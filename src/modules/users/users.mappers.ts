import type { User } from './users.schemas.ts'
import type { UserWithRole } from './users.service.ts'

/** The wire shape of a user: never the password hash. */
export const toUser = (user: UserWithRole): User => ({
  id: user.id,
  email: user.email,
  username: user.username,
  first_name: user.firstName,
  last_name: user.lastName,
  phone_number: user.phoneNumber,
  is_active: user.isActive,
  is_superuser: user.isSuperuser,
  role_id: user.roleId,
  role: user.role,
  two_factor_enabled: user.twoFactorEnabled,
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
})
