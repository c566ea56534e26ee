import type { Principal } from '../../core/auth/access.ts'
import { passwordWeakness } from '../../core/auth/password-policy.ts'
import type { Passwords } from '../../core/auth/passwords.ts'
import type { Database } from '../../core/db/database.ts'
import { databaseErrorCode } from '../../core/db/errors.ts'
import { offsetOf, type PageOf, pageOf } from '../../core/pagination.ts'
import type { RoleAccess, RolesService } from '../roles/roles.service.ts'
import {
  cannotDeleteSelf,
  emailTaken,
  superuserOnly,
  unknownRole,
  userNotFound,
  usernameTaken,
  weakPassword,
} from './users.errors.ts'
import type { UserRow } from './users.models.ts'
import type { NewUser, UserChanges, UsersRepository } from './users.repository.ts'

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

export function createUsersService({
  usersRepository,
  rolesService,
  passwords,
}: {
  usersRepository: UsersRepository
  rolesService: RolesService
  passwords: Passwords
}) {
  const registrationListeners: RegistrationListener[] = []

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

  async function checkRole(roleId: number | null | undefined) {
    if (roleId != null && !(await rolesService.accessOf(roleId))) throw unknownRole(roleId)
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

  async function save(userId: number, changes: UserChanges): Promise<UserWithRole> {
    if (Object.values(changes).every((value) => value === undefined)) {
      return withRole(await requireUser(userId))
    }
    try {
      const updated = await usersRepository.update(userId, changes)
      if (!updated) throw userNotFound(userId)
      return withRole(updated)
    } catch (error) {
      throw conflictOf(error) ?? error
    }
  }

  async function insertAccount(account: NewAccount, listeners: RegistrationListener[]) {
    checkPassword('password', account.password)
    await checkRole(account.role_id)
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

    async create(actor: Principal, input: NewAccount): Promise<UserWithRole> {
      if (input.is_superuser && !actor.isSuperuser) throw superuserOnly('is_superuser')
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

    async update(actor: Principal, userId: number, changes: AdminChanges): Promise<UserWithRole> {
      if (changes.is_superuser !== undefined && !actor.isSuperuser) {
        throw superuserOnly('is_superuser')
      }
      await requireUser(userId)
      await checkRole(changes.role_id)
      return save(userId, {
        ...profileColumns(changes),
        isActive: changes.is_active,
        isSuperuser: changes.is_superuser,
        roleId: changes.role_id,
      })
    },

    async delete(actor: Principal, userId: number): Promise<void> {
      if (actor.userId === userId) throw cannotDeleteSelf()
      if (!(await usersRepository.delete(userId))) throw userNotFound(userId)
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
