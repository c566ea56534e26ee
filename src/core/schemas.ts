import { Type } from 'typebox'

const FieldError = Type.Object(
  {
    field: Type.String({
      description: 'The field, as the request named it (`price`, `query.page`)',
    }),
    message: Type.String({ description: 'What is wrong with it' }),
  },
  { title: 'FieldError' },
)

const problemMembers = {
  type: Type.String({
    description: 'Always `about:blank`: the status and `code` say what happened',
  }),
  title: Type.String({ description: "The status's reason phrase" }),
  status: Type.Integer({ description: 'The HTTP status' }),
  detail: Type.String({ description: 'What happened, for a person' }),
  code: Type.String({ description: 'Stable machine-readable error code' }),
}

/** RFC 9457 problem details, as every error response is sent. */
export const Problem = Type.Object(
  { ...problemMembers, errors: Type.Optional(Type.Array(FieldError)) },
  {
    title: 'Problem',
    additionalProperties: true,
    description: 'Problem details (RFC 9457), sent as application/problem+json',
  },
)

/** A 422: problem details naming each field that is wrong. */
export const ValidationProblem = Type.Object(
  { ...problemMembers, errors: Type.Array(FieldError, { minItems: 1 }) },
  {
    title: 'ValidationProblem',
    additionalProperties: true,
    description: 'A request whose input is invalid: `errors` names each field and what is wrong',
  },
)

/** Problem responses a route may give, for its response map and the OpenAPI document. */
export function problemResponses<const Status extends number>(...statuses: Status[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, status === 422 ? ValidationProblem : Problem]),
  ) as { [S in Status]: S extends 422 ? typeof ValidationProblem : typeof Problem }
}

/** A path id: a positive 32-bit integer (`0`, `-1`, `abc` and `99999999999` are 422). */
export const IdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647, description: 'The record’s id' }),
})
