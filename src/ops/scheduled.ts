import { pruneActivity } from '../activity/retention'
import { controlPlaneMaintenance } from '../admin/maintenance'
import { d1Bindings, primaryOutbox } from './d1-bindings'
import { hasSink, resendUndelivered, sinksOf } from './event-delivery'
import { pruneEvents, retentionCutoff } from './event-retention'
import { describeError } from './safe-error'

// Per database and run (every minute): 50 × 100 events re-sent, 50 × 1000 rows walked for pruning.
const RESEND_PAGES = 50
const PRUNE_PAGES = 50
/**
 * Events younger than this are left to the request that wrote them, whose delivery after the answer
 * may still be running (`waitUntil` lasts up to 30 s after the answer; a long /Bulk answers minutes
 * after its first events occurred): re-sending them would only send them twice. A failed delivery
 * is re-sent by the first run after this age.
 */
export const RESEND_AFTER_MS = 120_000

/**
 * The cron: on every D1 binding, re-sends the change events whose delivery failed (at-least-once,
 * RFC 9967 §2.4) and prunes old ones; then publishes tenant records left behind D1 and expires
 * idempotency keys. A failing part does not stop the others; the run fails afterwards so the failure
 * shows in the Cron Events of the dashboard.
 */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  const cutoff = retentionCutoff(env, new Date(controller.scheduledTime))
  const resendBefore = new Date(controller.scheduledTime - RESEND_AFTER_MS).toISOString()
  const sinks = sinksOf(env)
  const delivering = hasSink(sinks)
  const failures: unknown[] = []
  for (const [database, binding] of d1Bindings(env)) {
    const db = primaryOutbox(binding)
    try {
      const resent = delivering ? await resendUndelivered(db, sinks, env, resendBefore, RESEND_PAGES) : 0
      const pruned = await pruneEvents(db, cutoff, !delivering, PRUNE_PAGES)
      if (resent + pruned > 0) {
        console.log(JSON.stringify({ level: 'info', message: 'change events', database, resent, pruned }))
      }
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'change event maintenance failed',
          database,
          error: describeError(error),
        }),
      )
      failures.push(error)
    }
  }
  try {
    const control = await controlPlaneMaintenance(env, new Date(controller.scheduledTime))
    if (control.published + control.idempotencyKeysExpired > 0)
      console.log(JSON.stringify({ level: 'info', message: 'control plane', ...control }))
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        message: 'control plane maintenance failed',
        error: describeError(error),
      }),
    )
    failures.push(error)
  }
  try {
    await pruneActivity(env, new Date(controller.scheduledTime))
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', message: 'activity pruning failed', error: describeError(error) }),
    )
    failures.push(error)
  }
  if (failures.length > 0) throw new AggregateError(failures, 'scheduled maintenance failed')
}
