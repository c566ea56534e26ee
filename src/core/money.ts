/**
 * Money travels as a JSON number with at most `scale` decimals and is stored as `numeric`.
 * A number qualifies when printing it with `scale` decimals gives back the very same number:
 * 99999999.99 does, 0.1 + 0.2 (0.30000000000000004) does not.
 */
export function hasAtMostDecimals(value: number, scale = 2): boolean {
  return Number.isFinite(value) && Number(value.toFixed(scale)) === value
}

/** The exact decimal text for a `numeric` column. */
export const toNumeric = (value: number, scale = 2): string => value.toFixed(scale)

/** `numeric` comes back from the driver as text; its shortest number is exact to the cent. */
export const fromNumeric = (text: string): number => Number(text)
