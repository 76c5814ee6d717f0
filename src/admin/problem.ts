import type { Context, ErrorHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ControlError, type ControlErrorKind } from '../control/control-error'
import { transientReason } from '../db/transient'
import { ScimError } from '../http/scim-error'
import { describeError } from '../ops/safe-error'
import type { AdminEnv } from './admin-env'

/** RFC 9457 problem details: every error of the management API. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/**
 * An error answered as a problem; `errors` lists each problem found in the request, `members` are
 * extension members of the problem (RFC 9457 §3.2), such as the feed's `oldestPosition`.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: readonly string[] = [],
    readonly headers: Record<string, string> = {},
    readonly members: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail)
    this.name = 'Problem'
  }
}

const STATUS_OF: Record<ControlErrorKind, number> = {
  invalid: 422,
  not_found: 404,
  conflict: 409,
  limit: 409,
}

export function problemResponse(c: Context, problem: Problem): Response {
  const body = {
    type: 'about:blank',
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    instance: new URL(c.req.url).pathname,
    ...(problem.errors.length > 0 && { errors: problem.errors }),
    ...problem.members,
  }
  const headers = new Headers(problem.headers)
  headers.set('Content-Type', PROBLEM_CONTENT_TYPE)
  headers.set('Cache-Control', 'no-store')
  if (problem.status === 401) headers.set('WWW-Authenticate', 'Bearer realm="admin"')
  return new Response(JSON.stringify(body), { status: problem.status, headers })
}

function toProblem(error: unknown): Problem | undefined {
  if (error instanceof Problem) return error
  if (error instanceof ControlError) return new Problem(STATUS_OF[error.kind], error.message, error.problems)
  if (error instanceof ScimError) return new Problem(error.status, error.message, [], error.headers ?? {})
  if (error instanceof HTTPException && error.status === 415)
    return new Problem(415, 'The request body must be JSON, sent as Content-Type: application/json')
  if (error instanceof HTTPException && error.status < 500)
    return new Problem(error.status, error.message || 'Bad request')
  if (transientReason(error))
    return new Problem(503, 'The database is temporarily unavailable; retry later', [], {
      'Retry-After': '5',
    })
  return undefined
}

/** The management API's error handler: problems as they are; anything else a logged 500. */
export const handleAdminError: ErrorHandler<AdminEnv> = (error, c) => {
  const known = toProblem(error)
  if (known) return problemResponse(c, known)
  const requestId = c.get('requestId') ?? 'unknown'
  console.error(
    JSON.stringify({ level: 'error', requestId, message: 'unexpected error', error: describeError(error) }),
  )
  return problemResponse(c, new Problem(500, `Internal server error (request id ${requestId})`))
}
