#!/usr/bin/env node
// `npm run dev`: the API, restarted on every change under src/, and the admin console on Vite's
// dev server (hot reload, http://localhost:5173/admin/), which proxies /api to the API.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const apiPort = process.env.PORT ?? '8000'
const children = [
  spawn(process.execPath, [...process.execArgv, '--watch-path=src', 'bin/start.mjs'], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FOOD_FLEET_API: `http://127.0.0.1:${apiPort}` },
  }),
]
let stopping = false
const stop = (code) => {
  if (stopping) return
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  process.exitCode = code
}
for (const child of children) child.on('exit', (code) => stop(code ?? 1))
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0))
