import type { components } from './schema.ts'

export type Problem = components['schemas']['Problem']
export type FieldError = components['schemas']['FieldError']

/** An error answer of the API: its problem details (RFC 9457), typed. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** The HTTP status. */
  readonly status: number
  /** The stable machine-readable code (`validation_failed`, `permission_not_held`, …). */
  readonly code: string
  readonly detail: string
  /** The fields that are wrong, on a 422. */
  readonly errors: FieldError[]
  /** The whole problem, with its extra members (`permissions`, `allowed_types`, …). */
  readonly problem: Problem

  constructor(status: number, problem: Problem) {
    super(problem.detail)
    this.status = status
    this.code = problem.code
    this.detail = problem.detail
    this.errors = problem.errors ?? []
    this.problem = problem
  }

  /** The error of an answer that is not a problem (a proxy's HTML page, an empty body). */
  static fromResponse(response: Response, body: unknown): ApiError {
    const problem = isProblem(body)
      ? body
      : {
          type: 'about:blank',
          title: response.statusText,
          status: response.status,
          detail: `The server answered ${response.status} ${response.statusText}`.trim(),
          code: 'unexpected_response',
        }
    return new ApiError(response.status, problem)
  }
}

const isProblem = (body: unknown): body is Problem =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Problem).code === 'string' &&
  typeof (body as Problem).detail === 'string'

/**
 * The data of a call's answer, or its `ApiError`:
 * `const user = unwrap(await api.GET('/api/v1/users/me'))`.
 */
export function unwrap<Result extends { response: Response; error?: unknown }>(
  result: Result,
): SuccessData<Result> {
  if (!result.response.ok) throw ApiError.fromResponse(result.response, result.error)
  return (result as { data?: unknown }).data as SuccessData<Result>
}

/** The data of an answer's success branch (the error branch has none). */
type SuccessData<Result> = Result extends { data: infer Data } ? Data : never
