import { Type } from 'typebox'

export const Liveness = Type.Object({ status: Type.Literal('healthy') }, { title: 'Liveness' })

const Dependency = Type.Union([
  Type.Literal('healthy'),
  Type.Literal('unhealthy'),
  Type.Literal('disabled'),
])

export const Readiness = Type.Object(
  {
    api: Type.Literal('healthy'),
    database: Dependency,
    redis: Dependency,
  },
  { title: 'Readiness' },
)
