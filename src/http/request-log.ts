import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes, routePath } from 'hono/route'
import { setMetric } from 'hono/timing'
import { recordScimActivity } from '../activity/record-request'
import { newRoundTripStats } from '../db/round-trips'
import type { AppEnv } from '../env'

/**
 * One JSON log line per request, and the D1 round trips and billed rows in `Server-Timing`. Logs carry no token,
 * password or attribute value: only the request's shape and outcome — the route pattern, never the
 * path or query, which hold ids and filter values.
 */
export const requestLog: MiddlewareHandler<AppEnv> = async function requestLog(c, next) {
  const started = performance.now()
  const d1 = newRoundTripStats()
  c.set('d1', d1)
  try {
    await next()
  } finally {
    // On every answer, errors included, so an administrator can quote it (Cloudflare also adds
    // `cf-ray`); set after next() because an error answer is a new Response.
    c.header('X-Request-Id', c.get('requestId'))
    setMetric(c, 'd1', d1.ms, `${d1.count} round trips`)
    // What D1 bills, as its results' meta reports it: the cost tests' rows read and the per-operation
    // cost table (README) both read it here, the one place these figures are sent.
    setMetric(
      c,
      'd1-cost',
      `${d1.statements} statements, ${d1.rowsRead} rows read, ${d1.rowsWritten} rows written`,
    )
    const route = endpointPattern(c)
    recordScimActivity(c, route)
    console.log(
      JSON.stringify({
        level: isFault(c.res.status) ? 'error' : 'info',
        requestId: c.get('requestId'),
        tenant: c.get('tenant')?.name,
        method: c.req.method,
        route,
        status: c.res.status,
        durationMs: Math.round(performance.now() - started),
        d1RoundTrips: d1.count,
        d1Ms: Math.round(d1.ms * 10) / 10,
        d1Statements: d1.statements,
        d1RowsRead: d1.rowsRead,
        d1RowsWritten: d1.rowsWritten,
        scimType: c.get('scimType'),
      }),
    )
  }
}

// Cloudflare's ray id: 16 hex digits and the data center's IATA code (`8f1a2b3c4d5e6f70-LHR`).
const CF_RAY = /^[0-9a-f]{16}-[A-Z]{3,4}$/

/**
 * The request id: Cloudflare's `cf-ray` when it is one (locally, or past a proxy, the header is the
 * client's and may carry anything, markup included), else a fresh UUID.
 */
export const requestIdOf = (cfRay: string | undefined) =>
  cfRay !== undefined && CF_RAY.test(cfRay) ? cfRay : crypto.randomUUID()

/**
 * `Cache-Control: no-store` on every SCIM answer, errors included: they carry a tenant's users and
 * groups, or say whether a token works, and no cache on the way may keep them.
 */
export const noStore: MiddlewareHandler<AppEnv> = async function noStore(c, next) {
  await next()
  c.header('Cache-Control', 'no-store')
}

/** 501 is /Me's designed answer (README), not a fault for an operator to chase. */
const isFault = (status: number) => status >= 500 && status !== 501

/**
 * The first endpoint (not a `*` middleware) that matched the request: `/scim/v2/Users/.search`
 * rather than the 405 fallbacks registered after it, and the endpoint also when a middleware
 * answered before it (401, 429). A path no endpoint matches keeps its middleware pattern.
 */
function endpointPattern(c: Context<AppEnv>): string {
  return matchedRoutes(c).find((route) => !route.path.endsWith('*'))?.path ?? routePath(c, -1)
}
