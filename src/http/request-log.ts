import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes, routePath } from 'hono/route'
import { setMetric } from 'hono/timing'
import { recordScimActivity } from '../activity/record-request'
import type { AppEnv } from '../env'

/**
 * One JSON log line per request, and the D1 round trips in `Server-Timing`. Logs carry no token,
 * password or attribute value: only the request's shape and outcome — the route pattern, never the
 * path or query, which hold ids and filter values.
 */
export const requestLog: MiddlewareHandler<AppEnv> = async function requestLog(c, next) {
  const started = performance.now()
  const d1 = { count: 0, ms: 0 }
  c.set('d1', d1)
  try {
    await next()
  } finally {
    // On every answer, errors included, so an administrator can quote it (Cloudflare also adds
    // `cf-ray`); set after next() because an error answer is a new Response.
    c.header('X-Request-Id', c.get('requestId'))
    setMetric(c, 'd1', d1.ms, `${d1.count} round trips`)
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
        scimType: c.get('scimType'),
      }),
    )
  }
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
