import type { Context } from 'hono'
import { countRoundTrips } from '../db/round-trips'
import type { AppEnv } from '../env'
import { isBaseHost, requestHost } from '../http/base-host'
import { ScimError } from '../http/scim-error'
import { d1Bindings, primarySession } from './d1-bindings'
import { enforceRateLimit } from './rate-limit'
import { describeError } from './safe-error'

// Not a tenant key (`tenant:<name>`), so the probe never reads a tenant record.
const KV_PROBE_KEY = 'healthz'
// Not a tenant name (those are [a-z0-9-]), so health checks have their own rate-limit budget.
const RATE_LIMIT_KEY = '/healthz'

/**
 * `GET /healthz` on the bare base domain: a KV read and `SELECT 1` on the primary of every D1
 * binding; 200 when all answer, 503 otherwise. It names bindings only, never a tenant, and is 404
 * on a tenant's host.
 */
export async function health(c: Context<AppEnv>): Promise<Response> {
  if (!isBaseHost(requestHost(c.req), c.env)) {
    throw ScimError.notFound('No endpoint at /healthz')
  }
  await enforceRateLimit(c, RATE_LIMIT_KEY)
  const probes: [string, Promise<unknown>][] = [
    ['TENANTS', c.env.TENANTS.get(KV_PROBE_KEY)],
    ...d1Bindings(c.env).map(([name, binding]): [string, Promise<unknown>] => [
      name,
      countRoundTrips(primarySession(binding), c.var.d1).prepare('SELECT 1').first(),
    ]),
  ]
  const outcomes = await Promise.allSettled(probes.map(([, probe]) => probe))
  const checks: Record<string, 'ok' | 'failing'> = {}
  outcomes.forEach((outcome, i) => {
    const name = probes[i]![0]
    checks[name] = outcome.status === 'fulfilled' ? 'ok' : 'failing'
    if (outcome.status === 'rejected') {
      console.error(
        JSON.stringify({
          level: 'error',
          requestId: c.get('requestId'),
          message: 'health check failed',
          binding: name,
          error: describeError(outcome.reason),
        }),
      )
    }
  })
  const healthy = Object.values(checks).every((check) => check === 'ok')
  return c.json({ status: healthy ? 'ok' : 'failing', checks }, healthy ? 200 : 503, {
    'Cache-Control': 'no-store',
  })
}
