// The ceiling for GET /health: bare Fastify, the same route and response schema, nothing else.
import Fastify from 'fastify'

const app = Fastify()
const live = Object.freeze({ status: 'healthy' })
app.get(
  '/health',
  {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: { status: { type: 'string', const: 'healthy' } },
          required: ['status'],
        },
      },
    },
  },
  async () => live,
)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
