import { type PermissionName, type Principal, permissionsNotHeld } from '../../core/auth/access.ts'
import { passwordWeakness } from '../../core/auth/password-policy.ts'
import type { Passwords } from '../../core/auth/passwords.ts'
import type { Database } from '../../core/db/database.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import { offsetOf, type PageOf, pageOf } from '../../core/pagination.ts'
import type { RoleAccess, RolesService } from '../roles/roles.service.ts'
import {
  cannotDeleteSelf,
  emailTaken,
  lastSuperuser,
  ownAccount,
  roleNotHeld,
  superuserOnly,
  unknownRole,
  userNotFound,
  usernameTaken,
  userOutranks,
  weakPassword,
} from './users.errors.ts'
import type { UserRow } from './users.models.ts'
import type { NewUser, UserChanges, UsersQueries, UsersRepository } from './users.repository.ts'

export type UserWithRole = UserRow & { role: { id: number; name: string } | null }

export interface NewAccount {
  email: string
  username: string
  password: string
  first_name?: string | null
  last_name?: string | null
  phone_number?: string | null
  is_active?: boolean
  is_superuser?: boolean
  role_id?: number | null
}

export interface ProfileChanges {
  username?: string
  first_name?: string | null
  last_name?: string | null
  phone_number?: string | null
}

export interface AdminChanges extends ProfileChanges {
  is_active?: boolean
  is_superuser?: boolean
  role_id?: number | null
}

/** Runs in the registration transaction: what a new user causes (the welcome email) commits with it. */
export type RegistrationListener = (user: UserRow, tx: Database) => Promise<void>

/** Runs once a user's deactivation is committed (the auth module ends their sessions). */
export type DeactivationListener = (userId: number) => Promise<void>

export function createUsersService({
  usersRepository,
  rolesService,
  passwords,
}: {
  usersRepository: UsersRepository
  rolesService: Pick<RolesService, 'accessOf'>
  passwords: Passwords
}) {
  const registrationListeners: RegistrationListener[] = []
  const deactivationListeners: DeactivationListener[] = []

  const accessOf = (user: UserRow) =>
    user.roleId == null ? Promise.resolve(undefined) : rolesService.accessOf(user.roleId)

  function attachRole(user: UserRow, access: RoleAccess | undefined): UserWithRole {
    const role = access && user.roleId != null ? { id: user.roleId, name: access.name } : null
    return { ...user, role }
  }

  async function withRole(user: UserRow): Promise<UserWithRole> {
    return attachRole(user, await accessOf(user))
  }

  async function requireUser(userId: number): Promise<UserRow> {
    const user = await usersRepository.findById(userId)
    if (!user) throw userNotFound(userId)
    return user
  }

  function checkPassword(field: string, password: string) {
    const weakness = passwordWeakness(password)
    if (weakness) throw weakPassword(field, weakness)
  }

  /** Nobody gives more than they hold: assigning a role needs every permission it grants. */
  async function checkRoleGrant(actor: Principal, roleId: number | null | undefined) {
    if (roleId == null) return
    const access = await rolesService.accessOf(roleId)
    if (!access) throw unknownRole(roleId)
    const notHeld = permissionsNotHeld(actor, access.permissions)
    if (notHeld.length > 0) throw roleNotHeld(access.name, notHeld)
  }

  /**
   * Only a superuser manages a superuser, and nobody manages a user who holds a permission they
   * do not: a user administrator cannot lock out, rename or delete those above them.
   */
  async function checkManage(actor: Principal, target: UserRow) {
    if (actor.isSuperuser) return
    if (target.isSuperuser) throw superuserOnly('change, deactivate or delete a superuser')
    const access = await accessOf(target)
    const notHeld = permissionsNotHeld(actor, access?.permissions ?? [])
    if (notHeld.length > 0) throw userOutranks(notHeld)
  }

  /**
   * Runs a change that may remove an active superuser (deactivation, demotion, deletion) with
   * the active superusers locked, refusing the one that would leave none.
   */
  async function keepingASuperuser<T>(
    target: UserRow,
    removesSuperuser: boolean,
    change: (repository: UsersQueries) => Promise<T>,
  ): Promise<T> {
    if (!(removesSuperuser && target.isSuperuser && target.isActive)) return change(usersRepository)
    return usersRepository.transaction(async (repository) => {
      const others = (await repository.lockActiveSuperusers()).filter((id) => id !== target.id)
      if (others.length === 0) throw lastSuperuser()
      return change(repository)
    })
  }

  /** Unique violations name their index: tell the client which field is taken. */
  function conflictOf(error: unknown): Error | undefined {
    if (databaseErrorCode(error) !== '23505') return undefined
    const constraint = String((error as { cause?: { constraint?: unknown } }).cause?.constraint)
    return constraint.includes('email') ? emailTaken() : usernameTaken()
  }

  function profileColumns(changes: ProfileChanges): UserChanges {
    return {
      username: changes.username,
      firstName: changes.first_name,
      lastName: changes.last_name,
      phoneNumber: changes.phone_number,
    }
  }

  async function save(
    userId: number,
    changes: UserChanges,
    repository: UsersQueries = usersRepository,
  ): Promise<UserWithRole> {
    if (Object.values(changes).every((value) => value === undefined)) {
      return withRole(await requireUser(userId))
    }
    try {
      const updated = await repository.update(userId, changes)
      if (!updated) throw userNotFound(userId)
      return withRole(updated)
    } catch (error) {
      throw conflictOf(error) ?? error
    }
  }

  async function insertAccount(account: NewAccount, listeners: RegistrationListener[]) {
    checkPassword('password', account.password)
    const values: NewUser = {
      email: account.email.trim().toLowerCase(),
      username: account.username,
      passwordHash: await passwords.hash(account.password),
      firstName: account.first_name ?? null,
      lastName: account.last_name ?? null,
      phoneNumber: account.phone_number ?? null,
      isActive: account.is_active ?? true,
      isSuperuser: account.is_superuser ?? false,
      roleId: account.role_id ?? null,
    }
    try {
      const user = await usersRepository.transaction(async (repository, tx) => {
        const created = await repository.insert(values)
        for (const listener of listeners) await listener(created, tx)
        return created
      })
      return withRole(user)
    } catch (error) {
      throw conflictOf(error) ?? error
    }
  }

  return {
    /** Other modules react to sign-ups here (notifications queue the welcome email). */
    onRegistered(listener: RegistrationListener): void {
      registrationListeners.push(listener)
    },

    /** Self-service sign-up: an active user with no role. */
    register(input: Omit<NewAccount, 'is_active' | 'is_superuser' | 'role_id'>) {
      return insertAccount(
        {
          email: input.email,
          username: input.username,
          password: input.password,
          first_name: input.first_name,
          last_name: input.last_name,
          phone_number: input.phone_number,
        },
        registrationListeners,
      )
    },

    /** Signs out a deactivated user everywhere (the auth module). */
    onDeactivated(listener: DeactivationListener): void {
      deactivationListeners.push(listener)
    },

    async create(actor: Principal, input: NewAccount): Promise<UserWithRole> {
      if (input.is_superuser && !actor.isSuperuser) throw superuserOnly('grant is_superuser')
      await checkRoleGrant(actor, input.role_id)
      return insertAccount(input, [])
    },

    get: async (userId: number) => withRole(await requireUser(userId)),
    withRole,

    async list(page: number, size: number, search?: string): Promise<PageOf<UserWithRole>> {
      const { rows, total } = await usersRepository.page(offsetOf(page, size), size, search)
      return pageOf(await Promise.all(rows.map(withRole)), total, page, size)
    },

    updateProfile: (userId: number, changes: ProfileChanges) =>
      save(userId, profileColumns(changes)),

    /** The access rules of API.md, then the change; a deactivation ends the user's sessions. */
    async update(actor: Principal, userId: number, changes: AdminChanges): Promise<UserWithRole> {
      if (changes.is_superuser !== undefined && !actor.isSuperuser) {
        throw superuserOnly('grant or revoke is_superuser')
      }
      const target = await requireUser(userId)
      const changesRole = changes.role_id !== undefined && changes.role_id !== target.roleId
      const changesActive = changes.is_active !== undefined && changes.is_active !== target.isActive
      if (actor.userId === userId && changesRole) throw ownAccount('role_id')
      if (actor.userId === userId && changesActive) throw ownAccount('is_active')
      await checkManage(actor, target)
      if (changesRole) await checkRoleGrant(actor, changes.role_id)
      const removesSuperuser = changes.is_active === false || changes.is_superuser === false
      const updated = await keepingASuperuser(target, removesSuperuser, (repository) =>
        save(
          userId,
          {
            ...profileColumns(changes),
            isActive: changes.is_active,
            isSuperuser: changes.is_superuser,
            roleId: changes.role_id,
          },
          repository,
        ),
      )
      if (target.isActive && !updated.isActive) {
        for (const listener of deactivationListeners) await listener(userId)
      }
      return updated
    },

    /** A user's sessions and codes go with them (ON DELETE CASCADE). */
    async delete(actor: Principal, userId: number): Promise<void> {
      if (actor.userId === userId) throw cannotDeleteSelf()
      const target = await requireUser(userId)
      await checkManage(actor, target)
      await keepingASuperuser(target, true, async (repository) => {
        if (!(await repository.delete(userId))) throw userNotFound(userId)
      })
    },

    async setPassword(userId: number, password: string, field = 'new_password'): Promise<void> {
      checkPassword(field, password)
      await usersRepository.update(userId, { passwordHash: await passwords.hash(password) })
    },

    /** Refuses a weak password with 422 naming `field`. */
    checkPassword,

    /** Turns two-factor sign-in on or off (the auth flows check the code or password first). */
    async setTwoFactor(userId: number, enabled: boolean): Promise<UserWithRole> {
      const user = await usersRepository.update(userId, { twoFactorEnabled: enabled })
      if (!user) throw userNotFound(userId)
      return withRole(user)
    },

    async rehash(userId: number, password: string): Promise<void> {
      await usersRepository.update(userId, { passwordHash: await passwords.hash(password) })
    },

    /** The caller of a protected route: one indexed query, the role's permissions from cache. */
    async loadPrincipal(userId: number): Promise<Principal | undefined> {
      const user = await usersRepository.findById(userId)
      if (!user) return undefined
      const access = await accessOf(user)
      return {
        userId: user.id,
        isActive: user.isActive,
        isSuperuser: user.isSuperuser,
        permissions: new Set(access?.permissions),
        record: attachRole(user, access),
      }
    },

    anySuperuser: () => usersRepository.anySuperuser(),

    /** Who to tell about what a permission covers (e.g. products:update about low stock). */
    holdersOf: (permission: PermissionName) => usersRepository.holdersOf(permission),

    /** The row with its password hash: for login and seeding, never for a response. */
    findByEmail: (email: string) => usersRepository.findByEmail(email.trim()),

    /** Idempotent: the superuser from config, or in development a generated one (printed once). */
    async ensureSuperuser(email: string, password: string): Promise<UserWithRole | undefined> {
      if (await usersRepository.findByEmail(email)) return undefined
      const base = (email.split('@')[0] ?? 'admin').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40)
      const username = base.length >= 3 ? base : `admin-${base}`
      return insertAccount({ email, username, password, is_superuser: true }, [])
    },
  }
}

export type UsersService = ReturnType<typeof createUsersService>
