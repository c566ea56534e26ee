/**
 * Cron schedules in UTC: five fields (minute, hour, day of month, month, day of week), or six with
 * seconds first, each `*`
 * (or `?` for the days), a number or name (`JAN`–`DEC`, `SUN`–`SAT`, day 7 is Sunday), a range
 * `a-b`, a step `*\/n`, `a-b/n` or `a/n`, or a list of them; or a macro (`@daily`…). They mean what
 * they mean to cron-parser, which BullMQ schedules with (the tests hold the two to each other):
 * when both day fields are restricted, a day matching either runs. Parsing them here keeps
 * cron-parser and its date library, with the time-zone data it loads, out of the processes that
 * only check a setting or run jobs in process.
 */

/** A parsed schedule: the time of its next run strictly after `after`, in epoch milliseconds. */
export interface CronSchedule {
  next(after: number): number
}

interface Field {
  name: string
  min: number
  max: number
  names?: Readonly<Record<string, number>>
  /** `?` stands for `*` in the day fields. */
  isDay?: true
}

const named = (names: string[], first: number) =>
  Object.fromEntries(names.map((name, index) => [name, first + index]))

const FIELDS: readonly Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, isDay: true },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: named(
      ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
      1,
    ),
  },
  {
    name: 'day of week',
    min: 0,
    max: 7,
    names: named(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], 0),
    isDay: true,
  },
]

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
  '@minutely': '* * * * *',
  '@weekdays': '0 0 * * 1-5',
  '@weekends': '0 0 * * 0,6',
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const SECOND = 1000
/** How far ahead a run is looked for: past every leap-day cycle but 2100's. */
const HORIZON = 8 * 366 * 24 * 3600 * SECOND

function parseValue(text: string, field: Field): number {
  const value = /^\d+$/.test(text) ? Number(text) : field.names?.[text.toUpperCase()]
  if (value === undefined) throw new Error(`${field.name}: ${text} is not a value`)
  if (value < field.min || value > field.max) {
    throw new Error(`${field.name}: ${text} is outside ${field.min}–${field.max}`)
  }
  return value
}

/**
 * The values one comma-separated part of a field stands for, listed as cron-parser lists them (its
 * rule against a value listed twice reads this list): a lone weekday 7 is 0; a weekday range
 * reaching 7 on its step also lists 0.
 */
function valuesOf(part: string, field: Field): number[] {
  const match = /^(\*|\?|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:\/(\d+))?$/.exec(part)
  if (!match) throw new Error(`${field.name}: ${part} is not a value, range or step`)
  const [, first = '', last, stepText] = match
  const wildcard = first === '*' || first === '?'
  if (first === '?' && !field.isDay) throw new Error(`${field.name}: ? is for the day fields only`)
  if (wildcard && last !== undefined) throw new Error(`${field.name}: ${part} is not a range`)
  const step = stepText === undefined ? 1 : Number(stepText)
  if (step < 1) throw new Error(`${field.name}: a step must be 1 or more`)
  const weekday = field.name === 'day of week'
  const from = wildcard ? field.min : parseValue(first, field)
  if (last === undefined && !wildcard && stepText === undefined) return [weekday ? from % 7 : from]
  const to = last !== undefined ? parseValue(last, field) : field.max
  if (from > to) throw new Error(`${field.name}: ${part} runs backwards`)
  const values = weekday && to % 7 === 0 && (to - from) % step === 0 && from !== 0 ? [0] : []
  for (let value = from; value <= to; value += step) values.push(value)
  return values
}

/** A field's values; cron-parser refuses a value listed twice. Sunday is 0 and 7. */
function fieldSet(listed: number[], field: Field, text: string): Set<number> {
  if (new Set(listed).size < listed.length) {
    throw new Error(`${field.name}: ${text} names a value twice`)
  }
  return new Set(listed.map((value) => (field.name === 'day of week' ? value % 7 : value)))
}

/** Parses a schedule; throws an `Error` saying what is wrong, or that it never runs. */
export function parseCron(expression: string): CronSchedule {
  const fields = (MACROS[expression.trim()] ?? expression).trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(
      'expected five fields (minute hour day month weekday), or six with seconds first',
    )
  }
  const parts = fields.length === 5 ? ['0', ...fields] : fields
  const lists = parts.map((text, index) =>
    text.split(',').flatMap((part) => valuesOf(part, FIELDS[index] as Field)),
  )
  // As cron-parser: in a schedule of one month, the days that month does not have are dropped.
  const [month] = lists[4] as number[]
  if (lists[4]?.length === 1 && month !== undefined) {
    const length = DAYS_IN_MONTH[month - 1] as number
    const kept = (lists[3] as number[]).filter((day) => day <= length)
    if (kept.length > 0) lists[3] = kept
  }
  const [seconds, minutes, hours, days, months, weekdays] = lists.map((listed, index) =>
    fieldSet(listed, FIELDS[index] as Field, parts[index] as string),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  const anyDay = parts[3] === '*' || parts[3] === '?'
  const anyWeekday = parts[5] === '*' || parts[5] === '?'
  const dayMatches = (date: Date) => {
    const onDay = days.has(date.getUTCDate())
    const onWeekday = weekdays.has(date.getUTCDay())
    if (anyDay) return onWeekday
    if (anyWeekday) return onDay
    return onDay || onWeekday
  }
  const schedule: CronSchedule = {
    next(after) {
      const date = new Date(Math.floor(after / SECOND) * SECOND + SECOND)
      const horizon = after + HORIZON
      while (date.getTime() <= horizon) {
        if (!months.has(date.getUTCMonth() + 1)) {
          date.setUTCMonth(date.getUTCMonth() + 1, 1)
          date.setUTCHours(0, 0, 0, 0)
        } else if (!dayMatches(date)) {
          date.setUTCDate(date.getUTCDate() + 1)
          date.setUTCHours(0, 0, 0, 0)
        } else if (!hours.has(date.getUTCHours())) {
          date.setUTCHours(date.getUTCHours() + 1, 0, 0, 0)
        } else if (!minutes.has(date.getUTCMinutes())) {
          date.setUTCMinutes(date.getUTCMinutes() + 1, 0, 0)
        } else if (!seconds.has(date.getUTCSeconds())) {
          date.setUTCSeconds(date.getUTCSeconds() + 1, 0)
        } else {
          return date.getTime()
        }
      }
      throw new Error(`${expression} never runs`)
    },
  }
  // A schedule that never runs is refused here, not when it is first due.
  schedule.next(Date.UTC(2024, 0, 1))
  return schedule
}
