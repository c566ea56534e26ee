import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { configSchema } from '../src/config.ts'
import { ROOT } from './helpers/process.ts'

const readme = readFileSync(`${ROOT}README.md`, 'utf8')
const envExample = readFileSync(`${ROOT}.env.example`, 'utf8')
const keys = Object.keys(configSchema.properties)

describe('configuration docs', () => {
  it.each(keys)('README documents %s in its configuration table', (key) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${key}\` +\\|`, 'm'))
  })

  it.each(keys)('.env.example lists %s', (key) => {
    expect(envExample).toMatch(new RegExp(`^#? ?${key}=`, 'm'))
  })
})
