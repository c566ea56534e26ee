import { Type } from 'typebox'

/** RFC 9457 problem details, as every error response is sent. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    ),
  },
  { additionalProperties: true, description: 'Problem details (application/problem+json)' },
)

/** Problem responses a route may give, for its response map and the OpenAPI document. */
export function problemResponses<const Status extends number>(...statuses: Status[]) {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<
    Status,
    typeof Problem
  >
}

/** A path id: a positive 32-bit integer (`0`, `-1`, `abc` and `99999999999` are 422). */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) })
