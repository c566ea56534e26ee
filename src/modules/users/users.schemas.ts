import { type Static, Type } from 'typebox'
import { PageQuery } from '../../core/pagination.ts'

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 })
export const Username = Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$' })
export const Password = Type.String({ minLength: 8, maxLength: 128 })
const Name = Type.Union([Type.String({ maxLength: 100 }), Type.Null()])
const Phone = Type.Union([
  Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164, e.g. +14155550123' }),
  Type.Null(),
])
const RoleId = Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.Null()])

export const User = Type.Object(
  {
    id: Type.Integer(),
    email: Type.String(),
    username: Type.String(),
    first_name: Type.Union([Type.String(), Type.Null()]),
    last_name: Type.Union([Type.String(), Type.Null()]),
    phone_number: Type.Union([Type.String(), Type.Null()]),
    is_active: Type.Boolean(),
    is_superuser: Type.Boolean(),
    role_id: Type.Union([Type.Integer(), Type.Null()]),
    role: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
    two_factor_enabled: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'User' },
)

export const EffectivePermissions = Type.Object(
  {
    is_superuser: Type.Boolean({ description: 'Holds every permission, listed or not' }),
    permissions: Type.Array(Type.String(), {
      description: 'The permissions of your role, `resource:action`, sorted',
    }),
  },
  { title: 'EffectivePermissions' },
)

export const UserRegister = Type.Object(
  {
    email: Email,
    username: Username,
    password: Password,
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    phone_number: Type.Optional(Phone),
  },
  { title: 'UserRegister', additionalProperties: false },
)

/** What only someone who manages users sets. */
const AccountControls = {
  is_active: Type.Optional(Type.Boolean()),
  is_superuser: Type.Optional(Type.Boolean()),
  role_id: Type.Optional(RoleId),
}

export const UserCreate = Type.Object(
  { ...UserRegister.properties, ...AccountControls },
  { title: 'UserCreate', additionalProperties: false },
)

export const ProfileUpdate = Type.Object(
  {
    username: Type.Optional(Username),
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    phone_number: Type.Optional(Phone),
  },
  { title: 'ProfileUpdate', additionalProperties: false },
)

export const UserUpdate = Type.Object(
  { ...ProfileUpdate.properties, ...AccountControls },
  { title: 'UserUpdate', additionalProperties: false },
)

export const UsersQuery = Type.Object({
  ...PageQuery.properties,
  search: Type.Optional(
    Type.String({ maxLength: 100, description: 'Part of the email, username or a name' }),
  ),
})

export type User = Static<typeof User>
