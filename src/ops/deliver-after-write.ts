import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { CALLS_BEFORE_HANDLER, DELIVERY_MARK_CALLS, QUEUE_SENDS_PER_DELIVERY_PAGE } from '../limits'
import { CONTROL_DATABASE, d1Binding, primaryOutbox } from './d1-bindings'
import { DeliveryWindows } from './delivery-window'
import { deliveryEntries, hasSink, PAGE, sendEntries, sinksOf } from './event-delivery'
import { describeError } from './safe-error'

// Pages of 100 events sent after one request; a larger /Bulk leaves the rest to the cron.
const MAX_PAGES = 10

// Per deployment (env): tests run one isolate with several; a deployment has one.
const windowsByEnv = new WeakMap<object, DeliveryWindows>()

function windowsOf(env: Env): DeliveryWindows {
  let windows = windowsByEnv.get(env)
  if (!windows) {
    windows = new DeliveryWindows()
    windowsByEnv.set(env, windows)
  }
  return windows
}

/**
 * After a request committed writes, sends the change events they inserted — returned by the write
 * batches themselves, so nothing is read back — to the SCIM_EVENTS and SCIM_WEBHOOKS queues, each
 * when bound (RFC 9967 §2.4), and marks them delivered in one D1 statement, together with those of
 * the tenant's other writes in the same delivery window (src/ops/delivery-window.ts). It runs in
 * `waitUntil` on the uncounted binding, so the response waits for no extra D1 round trip and
 * `Server-Timing` reports only the request's own. Whatever this does not send, the cron re-sends
 * (src/ops/scheduled.ts).
 */
export const deliverAfterWrite: MiddlewareHandler<AppEnv> = async function deliverAfterWrite(c, next) {
  await next()
  const sinks = sinksOf(c.env)
  const tenant = c.get('tenant')
  // Sent whatever the answer: a request that failed after a commit has still committed its events.
  if (!hasSink(sinks) || !tenant || tenant.writtenEvents.length === 0) return
  const binding = d1Binding(c.env, tenant.record.db)
  if (!binding) return
  // Within what MAX_QUERIES_PER_INVOCATION leaves after the request's own calls.
  const left = tenant.limits.queriesPerInvocation - CALLS_BEFORE_HANDLER - c.var.d1.count
  const pages = Math.min(MAX_PAGES, Math.floor((left - DELIVERY_MARK_CALLS) / QUEUE_SENDS_PER_DELIVERY_PAGE))
  if (pages < 1) return
  // The request's session after its last write: a bookmark at least as new as every event's commit.
  const bookmark = (tenant.d1 as unknown as D1DatabaseSession).getBookmark()
  const requestId = c.get('requestId')
  const entries = deliveryEntries(
    c.env,
    tenant.writtenEvents,
    bookmark,
    tenant.record.db === CONTROL_DATABASE,
  )
  windowsOf(c.env).add(`${tenant.name} ${tenant.record.db}`, entries, {
    capacity: pages * PAGE,
    send: (window) => sendEntries(primaryOutbox(binding), sinks, window, pages),
    waitUntil: (promise) =>
      c.executionCtx.waitUntil(
        promise.catch((error: unknown) => {
          console.error(
            JSON.stringify({
              level: 'error',
              requestId,
              tenant: tenant.name,
              message: 'change event delivery failed; the cron re-sends',
              error: describeError(error),
            }),
          )
        }),
      ),
  })
}
