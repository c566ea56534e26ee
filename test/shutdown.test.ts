import { describe, expect, it } from 'vitest'
import { publicRoute } from '../src/core/auth/access.ts'
import { defineModule } from '../src/core/module.ts'
import { modules } from '../src/modules/index.ts'
import { createTestApp } from './helpers/app.ts'

const slowRoute = defineModule({
  name: 'slow-probe',
  description: 'A test module',
  routes(app) {
    app.get('/probe/slow', { config: publicRoute }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 400))
      return { done: true }
    })
  },
})

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const t = await createTestApp({ modules: [...modules, slowRoute] })
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = t.app.server.address() as { port: number }
      const inFlight = fetch(`http://127.0.0.1:${port}/probe/slow`)
      await new Promise((resolve) => setTimeout(resolve, 100))
      const closing = t.app.close()
      const response = await inFlight
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ done: true })
      await closing
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
    } finally {
      await t.close()
    }
  })
})
