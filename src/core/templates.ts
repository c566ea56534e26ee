import { join } from 'node:path'
import type nunjucks from 'nunjucks'
import { lazyRequire } from './lazy.ts'
import { PROJECT_ROOT } from './paths.ts'

const engine = lazyRequire<typeof nunjucks>('nunjucks')

/** Where template paths start: `users/templates/welcome_email.html`, as in the guide. */
export const TEMPLATES_ROOT = join(PROJECT_ROOT, 'src', 'modules')

export interface Templates {
  /** Renders a module's HTML template (Jinja2 syntax), autoescaped. */
  render(path: string, context: Record<string, unknown>): string
  /** Renders a plain-text template held as a string (SMS templates), not escaped. */
  renderText(source: string, context: Record<string, unknown>): string
  /** Throws when `source` is not a valid template (checked before one is saved). */
  parseText(source: string): void
}

function environment(loader: nunjucks.ILoader | null, autoescape: boolean): nunjucks.Environment {
  // An undefined variable is an error, not a blank in a message someone receives.
  const env = new (engine().Environment)(loader, { autoescape, throwOnUndefined: true })
  // `round(2)` prints 5, not 5.00.
  env.addFilter('money', (value: unknown) => Number(value).toFixed(2))
  return env
}

export class TemplateError extends Error {}

/** Top-level names a template prints (`{{ code }}`) that the context lacks, loop variables aside. */
function missingVariables(source: string, context: Record<string, unknown>): string[] {
  const looped = new Set([...source.matchAll(/\{%-?\s*for\s+(\w+)/g)].map((match) => match[1]))
  const printed = [...source.matchAll(/\{\{-?\s*([A-Za-z_]\w*)/g)].map(
    (match) => match[1] as string,
  )
  return [...new Set(printed)].filter((name) => !looped.has(name) && !(name in context))
}

function checked(
  name: string,
  source: string,
  context: Record<string, unknown>,
  render: () => string,
) {
  const missing = missingVariables(source, context)
  if (missing.length > 0) {
    throw new TemplateError(`template ${name} needs ${missing.join(', ')}, which the context lacks`)
  }
  try {
    return render()
  } catch (error) {
    throw new TemplateError(`template ${name}: ${(error as Error).message.replace(/\s+/g, ' ')}`)
  }
}

/** The environments are made on first use: a web process that only queues email never renders. */
export function createTemplates(root = TEMPLATES_ROOT): Templates {
  let environments: { html: nunjucks.Environment; text: nunjucks.Environment } | undefined
  const environmentsOf = () => {
    environments ??= {
      html: environment(new (engine().FileSystemLoader)(root), true),
      text: environment(null, false),
    }
    return environments
  }
  return {
    render(path, context) {
      const { html } = environmentsOf()
      const source = (html.getTemplate(path) as unknown as { tmplStr: string }).tmplStr
      return checked(path, source, context, () => html.render(path, context))
    },
    renderText: (source, context) =>
      checked('(text)', source, context, () => environmentsOf().text.renderString(source, context)),
    parseText(source) {
      // Compiling eagerly is what surfaces a syntax error.
      ;new (engine().Template)(source, environmentsOf().text, undefined, true)
    },
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
}

/** The plain-text part of an HTML email: block structure kept, links written out. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script|title)\b[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, '$2 ($1)')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|ul|ol|table|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) {
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      }
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)))
      return ENTITIES[name.toLowerCase()] ?? entity
    })
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^(- .*)\n\n(?=- )/gm, '$1\n')
    .trim()
}
