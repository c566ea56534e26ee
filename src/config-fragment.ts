import type { Static, TObject, TProperties } from 'typebox'
import { parseCron } from './core/cron.ts'

/** A setting's value is wrong: the process stops with this one line, naming the variable. */
export class ConfigError extends Error {}

export function refuse(key: string, message: string): never {
  throw new ConfigError(`${key}: ${message}`)
}

/**
 * A module's settings (`<module>.config.ts`): TypeBox properties with the guide's variable names,
 * composed into the one configuration by `config.ts`, and the checks they need beyond their
 * schema, run once the whole configuration is read.
 */
export interface ConfigFragment<Settings extends TProperties> {
  settings: Settings
  check(values: Static<TObject<Settings>>): void
}

export function defineConfig<Settings extends TProperties>(
  settings: Settings,
  check: (values: Static<TObject<Settings>>) => void = () => {},
): ConfigFragment<Settings> {
  return { settings, check }
}

type Intersection<Union> = (Union extends unknown ? (arg: Union) => void : never) extends (
  arg: infer Both,
) => void
  ? Both
  : never

/** The settings of every fragment, as one set of properties. */
export function settingsOf<const Fragments extends readonly ConfigFragment<TProperties>[]>(
  fragments: Fragments,
): Intersection<Fragments[number]['settings']> {
  return Object.assign({}, ...fragments.map((fragment) => fragment.settings))
}

/** Settings that only mean something together: one without the other is a mistake. */
export function checkPair(config: Record<string, unknown>, first: string, second: string): void {
  if (config[first] && !config[second]) {
    refuse(second, `is required with ${first} (set both, or neither)`)
  }
  if (config[second] && !config[first]) {
    refuse(first, `is required with ${second} (set both, or neither)`)
  }
}

export function checkCron(key: string, value: string): void {
  try {
    parseCron(value)
  } catch (error) {
    refuse(key, `is not a cron expression (${(error as Error).message})`)
  }
}

/** `5/minute`: a count per second, minute, hour or day. */
export const RATE_PATTERN = '^\\s*\\d+\\s*/\\s*(second|minute|hour|day)s?\\s*$'
