import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { CALLS_BEFORE_HANDLER, CALLS_PER_DELIVERY_PAGE } from '../limits'
import { d1Binding, primaryOutbox } from './d1-bindings'
import { deliverTenantEvents, hasSink, sinksOf } from './event-delivery'
import { describeError } from './safe-error'

const READS = new Set(['GET', 'HEAD'])
// Pages of 100 events sent after one request; a larger /Bulk leaves the rest to the cron.
const MAX_PAGES = 10

/**
 * After a write succeeded, sends the tenant's undelivered change events to the SCIM_EVENTS and SCIM_WEBHOOKS
 * queues, each when bound (RFC 9967 §2.4). It runs in `waitUntil` on the uncounted binding, so the
 * response waits for no extra D1 round trip and `Server-Timing` reports only the request's own.
 */
export const deliverAfterWrite: MiddlewareHandler<AppEnv> = async function deliverAfterWrite(c, next) {
  // Every event this request writes occurred after this instant (same isolate clock).
  const started = new Date().toISOString()
  await next()
  const sinks = sinksOf(c.env)
  const tenant = c.get('tenant')
  // POST /.search (RFC 7644 §3.4.3) reads.
  if (!hasSink(sinks) || !tenant || READS.has(c.req.method) || c.req.path.endsWith('/.search') || !c.res.ok)
    return
  const binding = d1Binding(c.env, tenant.record.db)
  if (!binding) return
  // Within what MAX_QUERIES_PER_INVOCATION leaves after the request's own calls; the cron sends the rest.
  const left = tenant.limits.queriesPerInvocation - CALLS_BEFORE_HANDLER - c.var.d1.count
  const pages = Math.min(MAX_PAGES, Math.floor(left / CALLS_PER_DELIVERY_PAGE))
  if (pages < 1) return
  const requestId = c.get('requestId')
  c.executionCtx.waitUntil(
    deliverTenantEvents(primaryOutbox(binding), sinks, c.env, tenant.name, started, pages).catch(
      (error: unknown) => {
        console.error(
          JSON.stringify({
            level: 'error',
            requestId,
            tenant: tenant.name,
            message: 'change event delivery failed; the cron re-sends',
            error: describeError(error),
          }),
        )
      },
    ),
  )
}
