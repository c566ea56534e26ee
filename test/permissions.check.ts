// Type-level test, checked by `npm run check`: each line below an expect-error directive must
// fail to compile, or tsc reports the directive as unused.
import { requirePermission } from '../src/core/auth/access.ts'
import type { modules } from '../src/modules/index.ts'

export type Modules = typeof modules

export const allowed = [requirePermission('products', 'create'), requirePermission('roles', 'read')]

// @ts-expect-error a misspelt resource
requirePermission('prodcuts', 'create')
// @ts-expect-error an action that is not create, read, update or delete
requirePermission('products', 'publish')
