/** The D1 calls pruning makes; a binding and a session both have them. */
type Database = Pick<D1Database, 'prepare' | 'batch'>

/** Rows looked at per statement pair, oldest first. */
const PAGE = 1000
const DEFAULT_RETENTION_DAYS = 30
const DAY_MS = 86_400_000

/** The cutoff before which events may be pruned: EVENT_RETENTION_DAYS (default 30) before `now`. */
export function retentionCutoff(env: Pick<Env, 'EVENT_RETENTION_DAYS'>, now: Date): string {
  const days = Number(env.EVENT_RETENTION_DAYS)
  const retention = Number.isFinite(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS
  return new Date(now.getTime() - retention * DAY_MS).toISOString()
}

/**
 * Deletes events that occurred before `cutoff` and were delivered (or all of them, when no queue is
 * bound and nothing is ever delivered), walking the table oldest first by `seq` in pages, so a run
 * reads about the rows it prunes and never scans the whole table (there is no index on time).
 */
export async function pruneEvents(db: Database, cutoff: string, undeliveredToo: boolean, maxPages: number) {
  const page = `SELECT seq, occurred_at FROM scim_events WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`
  const prunable = `seq IN (SELECT seq FROM (${page})) AND occurred_at < ? AND (delivered_at IS NOT NULL OR ?)`
  let after = 0
  let pruned = 0
  for (let i = 0; i < maxPages; i++) {
    const bindings = [after, cutoff, undeliveredToo ? 1 : 0]
    const [summary, , deleted] = await db.batch([
      db
        .prepare(`SELECT count(*) AS n, max(seq) AS last, max(occurred_at) < ? AS allOld FROM (${page})`)
        .bind(cutoff, after),
      // Before the rows go, each tenant's horizon moves past them, in the same transaction: the
      // change feed then names the gap instead of skipping it (src/events/feed.ts).
      db
        .prepare(
          `INSERT INTO scim_event_horizons (tenant_id, pruned_through)
            SELECT tenant_id, max(seq) FROM scim_events WHERE ${prunable} GROUP BY tenant_id
            ON CONFLICT (tenant_id) DO UPDATE SET pruned_through = max(pruned_through, excluded.pruned_through)`,
        )
        .bind(...bindings),
      db.prepare(`DELETE FROM scim_events WHERE ${prunable}`).bind(...bindings),
    ])
    const { n, last, allOld } = (summary?.results[0] ?? {}) as { n?: number; last?: number; allOld?: number }
    pruned += deleted?.meta.changes ?? 0
    // A page with a young event is the last: the pages after it are younger still.
    if (n !== PAGE || !allOld || last === undefined) break
    after = last
  }
  return pruned
}
