import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { until } from './process.ts'

export interface RedisServer {
  readonly url: string
  /** Starts it, empty; resolves once it listens. */
  start(): Promise<void>
  /** Kills it at once (SIGKILL), as a crash would: its data, held only in memory, is gone. */
  stop(): Promise<void>
}

/** A `redis-server` of the test's own on `port`, without persistence, to stop and start. */
export function redisServerOn(port: number): RedisServer {
  let server: ChildProcess | undefined
  let exited: Promise<unknown> = Promise.resolve()
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      )
      const running = server
      exited = new Promise((resolve) => running.once('exit', resolve))
      await until(
        () =>
          new Promise<true | undefined>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.end()
              resolve(true)
            })
            socket.on('error', () => resolve(undefined))
          }),
      )
    },
    async stop() {
      if (!server || server.exitCode !== null) return
      server.kill('SIGKILL')
      await exited
    },
  }
}
