/** API.md: 8–128 characters, not all letters or all digits (also checked outside HTTP: the CLI). */
export function passwordWeakness(password: string): string | undefined {
  if (password.length < 8) return 'must be at least 8 characters'
  if (password.length > 128) return 'must be at most 128 characters'
  if (/^\p{L}+$/u.test(password)) return 'must not be all letters'
  if (/^\p{N}+$/u.test(password)) return 'must not be all digits'
  return undefined
}
