import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { databaseUnavailable, transientReason } from '../db/transient'
import type { AppEnv } from '../env'
import { describeError } from '../ops/safe-error'
import { ScimError } from './scim-error'
import { SCIM_CONTENT_TYPE } from './scim-response'

/** Renders a ScimError as the RFC 7644 §3.12 body. */
export function renderScimError(c: Context<AppEnv>, error: ScimError): Response {
  c.set('scimType', error.scimType)
  c.set('scimDetail', error.message)
  const headers = new Headers(error.headers)
  headers.set('Content-Type', SCIM_CONTENT_TYPE)
  if (error.status === 401) headers.set('WWW-Authenticate', 'Bearer realm="SCIM"')
  return new Response(JSON.stringify(error.toBody()), { status: error.status, headers })
}

function toScimError(error: unknown): ScimError | undefined {
  if (error instanceof ScimError) return error
  if (error instanceof HTTPException && error.status < 500) {
    return new ScimError(
      error.status,
      error.message || 'Bad request',
      error.status === 400 ? 'invalidSyntax' : undefined,
    )
  }
  return undefined
}

/**
 * The one error handler: a ScimError is rendered as is; anything unexpected is logged once with the
 * request id and answered with a 500 that carries the request id and nothing internal.
 */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  const requestId = c.get('requestId') ?? 'unknown'
  const known = toScimError(error)
  if (known) return renderScimError(c, known)
  // A transient D1 error (after the retry of a read): 503 with Retry-After, logged as a warning
  // with D1's fixed text only.
  const transient = transientReason(error)
  if (transient) {
    console.warn(
      JSON.stringify({ level: 'warn', requestId, message: 'database unavailable', reason: transient }),
    )
    return renderScimError(c, databaseUnavailable())
  }
  console.error(
    JSON.stringify({
      level: 'error',
      requestId,
      message: 'unexpected error',
      error: describeError(error),
    }),
  )
  return renderScimError(c, new ScimError(500, `Internal server error (request id ${requestId})`))
}

/** RFC 7644 §3.12 — unknown endpoints get a SCIM 404 too. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  renderScimError(c, ScimError.notFound(`No endpoint at ${new URL(c.req.url).pathname}`))

/** A route answering 405 with `Allow` for the methods its path does not support, before any body is read. */
export function methodNotAllowed(allowed: readonly string[]) {
  const allow = [...new Set([...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])])].join(', ')
  return (c: Context<AppEnv>) =>
    renderScimError(
      c,
      new ScimError(405, `Method ${c.req.method} is not supported here; allowed: ${allow}`, undefined, {
        Allow: allow,
      }),
    )
}
