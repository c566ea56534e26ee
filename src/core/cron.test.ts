import { CronExpressionParser } from 'cron-parser'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCron } from './cron.ts'

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

/** One comma-separated part of a field whose values run from `min` to `max`. */
function part(min: number, max: number, names: string[] = [], first = 0) {
  const value = fc.oneof(
    fc.integer({ min, max }).map(String),
    ...(names.length > 0
      ? [fc.integer({ min: 0, max: names.length - 1 }).map((i) => names[i] as string)]
      : []),
  )
  const number = (text: string) =>
    names.includes(text.toUpperCase()) ? names.indexOf(text.toUpperCase()) + first : Number(text)
  const range = fc
    .tuple(value, value)
    .map(([a, b]) => (number(a) <= number(b) ? `${a}-${b}` : `${b}-${a}`))
  const step = fc.integer({ min: 1, max: max - min + 2 })
  return fc.oneof(
    { arbitrary: value, weight: 4 },
    { arbitrary: range, weight: 2 },
    { arbitrary: step.map((n) => `*/${n}`), weight: 2 },
    { arbitrary: fc.tuple(range, step).map(([r, n]) => `${r}/${n}`), weight: 1 },
    { arbitrary: fc.tuple(fc.integer({ min, max }), step).map(([a, n]) => `${a}/${n}`), weight: 1 },
  )
}

const field = (min: number, max: number, names?: string[], first?: number, wildcard = '*') =>
  fc.oneof(
    { arbitrary: fc.constant(wildcard), weight: 3 },
    {
      arbitrary: fc
        .array(part(min, max, names, first), { minLength: 1, maxLength: 3 })
        .map((parts) => parts.join(',')),
      weight: 4,
    },
  )

const expression = fc
  .tuple(
    fc.option(field(0, 59), { freq: 3 }),
    field(0, 59),
    field(0, 23),
    field(1, 31, [], 0, '?'),
    field(1, 12, MONTHS, 1),
    field(0, 7, DAYS, 0),
  )
  .map(([second, ...fields]) => (second === null ? fields : [second, ...fields]).join(' '))

/** The runs cron-parser (BullMQ's) gives after `from`, or undefined when it finds none. */
function theirRuns(cron: string, from: number, count: number): number[] | undefined {
  try {
    const schedule = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(from) })
    return Array.from({ length: count }, () => schedule.next().getTime())
  } catch {
    return undefined
  }
}

describe('parseCron', () => {
  it('runs when cron-parser, which BullMQ schedules with, runs the same expression', () => {
    fc.assert(
      fc.property(
        expression,
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        (cron, from) => {
          const theirs = theirRuns(cron, from, 4)
          let ours: number[] | undefined
          try {
            const schedule = parseCron(cron)
            ours = []
            let after = from
            for (let run = 0; run < 4; run++) {
              after = schedule.next(after)
              ours.push(after)
            }
          } catch {
            ours = undefined
          }
          // Refused here only when it never runs: cron-parser then finds no run either.
          if (ours === undefined) expect(theirs).toBeUndefined()
          else
            expect(ours.map((t) => new Date(t).toISOString())).toEqual(
              theirs?.map((t) => new Date(t).toISOString()),
            )
        },
      ),
      { numRuns: 3000 },
    )
  })

  it.each([
    ['0 2 * * *', '2026-12-06T17:31:00Z', '2026-12-07T02:00:00.000Z'],
    ['0 2 * * *', '2026-12-07T02:00:00Z', '2026-12-08T02:00:00.000Z'],
    ['*/15 9-17 * * MON-FRI', '2026-12-05T10:00:00Z', '2026-12-07T09:00:00.000Z'],
    ['0 0 29 2 *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0 12 13 * FRI', '2026-12-06T00:00:00Z', '2026-12-11T12:00:00.000Z'],
    ['@daily', '2026-12-06T17:31:00Z', '2026-12-07T00:00:00.000Z'],
    ['0 0 * * 7', '2026-12-06T17:31:00Z', '2026-12-13T00:00:00.000Z'],
    ['*/20 * * * * *', '2026-12-06T17:31:45.500Z', '2026-12-06T17:32:00.000Z'],
  ])('%s after %s is at %s', (cron, after, next) => {
    expect(new Date(parseCron(cron).next(Date.parse(after))).toISOString()).toBe(next)
  })

  it.each([
    ['', /five fields/],
    ['0 2 * *', /five fields/],
    ['0 0 0 2 * * *', /five fields/],
    ['60 * * * *', /minute: 60 is outside 0–59/],
    ['* 24 * * *', /hour: 24 is outside/],
    ['* * 0 * *', /day of month: 0 is outside/],
    ['* * * 13 *', /month: 13 is outside/],
    ['* * * * 8', /day of week: 8 is outside/],
    ['* * * FOO *', /month: FOO is not a value/],
    ['*/0 * * * *', /step must be 1 or more/],
    ['5-1 * * * *', /runs backwards/],
    ['? * * * *', /\? is for the day fields only/],
    ['* * L * *', /not a value/],
    ['0 0 30 2 *', /never runs/],
  ])('refuses %j', (cron, message) => {
    expect(() => parseCron(cron)).toThrow(message)
  })
})
