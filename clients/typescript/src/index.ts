export { ApiError, type FieldError, type Problem, unwrap } from './errors.ts'
export type { components, operations, paths } from './schema.ts'
export { AuthSession, type SessionOptions, type SignedOutReason, type SignIn } from './session.ts'
export {
  memoryStorage,
  type TokenStorage,
  type Tokens,
  type WebStorageLike,
  webStorage,
} from './storage.ts'

import type { components } from './schema.ts'

type Schemas = components['schemas']
export type User = Schemas['User']
export type Role = Schemas['Role']
export type Permission = Schemas['Permission']
export type Category = Schemas['Category']
export type Product = Schemas['Product']
export type PageProduct = Schemas['PageProduct']
export type StoredFile = Schemas['StoredFile']
export type Notification = Schemas['Notification']
export type SmsTemplate = Schemas['SmsTemplate']
