import { d1Port } from '../admin/worker-ports'
import { statement } from '../control/ports'
import { pruneSetupStatements } from '../control/setup-links'
import { CONTROL_DATABASE, d1Binding } from '../ops/d1-bindings'

/** How long the activity log keeps failures and usage counts. */
export const ACTIVITY_RETENTION_DAYS = 30

/**
 * The cron's share: drops activity older than the retention, ended setup sessions and long-expired
 * setup links. The per-tenant caps are kept by the consumer as it writes (src/activity/consumer.ts).
 */
export async function pruneActivity(env: Env, now: Date) {
  // The control tables are on `DB`; an environment without it has no activity to prune.
  if (!d1Binding(env, CONTROL_DATABASE)) return { failures: 0, usage: 0 }
  const cutoff = new Date(now.getTime() - ACTIVITY_RETENTION_DAYS * 86_400_000).toISOString()
  const results = await d1Port(env.DB).batch([
    statement('DELETE FROM scim_failures WHERE at < ? RETURNING seq', cutoff),
    statement('DELETE FROM scim_usage WHERE last_at < ? RETURNING count', cutoff),
    ...pruneSetupStatements(now),
  ])
  return { failures: results[0]?.rows.length ?? 0, usage: results[1]?.rows.length ?? 0 }
}
