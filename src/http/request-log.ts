import type { MiddlewareHandler } from 'hono'
import { setMetric } from 'hono/timing'
import type { AppEnv } from '../env'

/**
 * One JSON log line per request, and the D1 round trips in `Server-Timing`. Logs carry no token,
 * password or attribute value: only the request's shape and outcome.
 */
export const requestLog: MiddlewareHandler<AppEnv> = async function requestLog(c, next) {
  const started = performance.now()
  const d1 = { count: 0, ms: 0 }
  c.set('d1', d1)
  await next()
  setMetric(c, 'd1', d1.ms, `${d1.count} round trips`)
  console.log(
    JSON.stringify({
      level: 'info',
      requestId: c.get('requestId'),
      tenant: c.get('tenant')?.name,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      d1RoundTrips: d1.count,
      d1Ms: Math.round(d1.ms * 10) / 10,
      scimType: c.get('scimType'),
    }),
  )
}
