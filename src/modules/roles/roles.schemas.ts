import { Type } from 'typebox'

const Name = Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z][a-z0-9_-]*$' })
const Description = Type.Union([Type.String({ maxLength: 255 }), Type.Null()])

export const Permission = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String({ description: '`resource:action`' }),
    resource: Type.String(),
    action: Type.String(),
    description: Description,
  },
  { title: 'Permission' },
)

export const PermissionCreate = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        maxLength: 101,
        description: 'Optional, as the guide sends it: must equal `resource:action`',
      }),
    ),
    resource: Name,
    action: Name,
    description: Type.Optional(Description),
  },
  { title: 'PermissionCreate', additionalProperties: false },
)

export const Role = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Description,
    is_system: Type.Boolean(),
    permissions: Type.Array(Permission),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Role' },
)

const PermissionIds = Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), {
  maxItems: 500,
  uniqueItems: true,
})

export const RoleCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    permission_ids: Type.Optional(PermissionIds),
  },
  { title: 'RoleCreate', additionalProperties: false },
)

export const RoleUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    permission_ids: Type.Optional({
      ...PermissionIds,
      description: "The role's permissions, replacing the ones it has",
    }),
  },
  { title: 'RoleUpdate', additionalProperties: false, minProperties: 1 },
)

export const RolePermissionsAdd = Type.Object(
  { permission_ids: PermissionIds },
  { title: 'RolePermissionsAdd', additionalProperties: false },
)

export const RolePermissionParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647, description: 'The role’s id' }),
  permission_id: Type.Integer({
    minimum: 1,
    maximum: 2147483647,
    description: 'The permission’s id',
  }),
})
