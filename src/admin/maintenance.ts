import { statement } from '../control/ports'
import { publishPending } from '../control/publish'
import { CONTROL_DATABASE, d1Binding } from '../ops/d1-bindings'
import { IDEMPOTENCY_TTL_HOURS } from './idempotency'
import { workerPorts } from './worker-ports'

// Tenants re-published per run (every minute): only those a publisher gave up on are behind.
const PUBLISH_LIMIT = 50

/**
 * The control plane's share of the cron: publishes tenants whose KV record is behind D1 (a request
 * that ran out of rounds or failed mid-way), and deletes idempotency answers older than 24 h.
 */
export async function controlPlaneMaintenance(env: Env, now: Date) {
  // The control tables are on `DB`; an environment without it (the change-event tests' cron runs
  // against their own database only) has no control plane to maintain.
  if (!d1Binding(env, CONTROL_DATABASE)) return { published: 0, idempotencyKeysExpired: 0 }
  const ports = workerPorts(env)
  const published = await publishPending(ports, PUBLISH_LIMIT)
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_TTL_HOURS * 3_600_000).toISOString()
  const [expired] = await ports.control.batch([
    statement('DELETE FROM admin_idempotency WHERE created_at < ? RETURNING key_id', cutoff),
  ])
  return { published, idempotencyKeysExpired: expired?.rows.length ?? 0 }
}
