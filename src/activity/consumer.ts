import { d1Port } from '../admin/worker-ports'
import { type Statement, statement } from '../control/ports'
import type { ActivityBatch } from './activity-batch'

/** Itemized failures and usage rows kept per tenant; the cron also drops what is past retention. */
export const MAX_FAILURES_PER_TENANT = 500
export const MAX_USAGE_ROWS_PER_TENANT = 200
export const ACTIVITY_QUEUE = 'edge-scim-activity'

function statementsOf(batch: ActivityBatch): Statement[] {
  const { tenant } = batch
  const usage = batch.usage.map((u) =>
    statement(
      `INSERT INTO scim_usage (tenant_name, client, method, endpoint, status, count, first_at, last_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count,
       first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
      tenant,
      u.client,
      u.method,
      u.endpoint,
      u.status,
      u.count,
      u.firstAt,
      u.lastAt,
    ),
  )
  const failures = batch.failures.map((f) =>
    statement(
      `INSERT INTO scim_failures (tenant_name, at, status, scim_type, detail, method, endpoint, resource_id,
       client, request_id, token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      tenant,
      f.at,
      f.status,
      f.scimType ?? null,
      f.detail ?? null,
      f.method,
      f.endpoint,
      f.resourceId ?? null,
      f.client,
      f.requestId ?? null,
      f.tokenId ?? null,
    ),
  )
  const tokens = batch.tokens.map((t) =>
    statement(
      `INSERT INTO token_usage (tenant_name, token_id, last_at, client) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET last_at = excluded.last_at, client = excluded.client
       WHERE excluded.last_at > token_usage.last_at`,
      tenant,
      t.tokenId,
      t.lastAt,
      t.client,
    ),
  )
  const last = statement(
    `INSERT INTO tenant_activity (tenant_name, last_at, last_client, last_status, unitemized_failures)
     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET
     unitemized_failures = unitemized_failures + excluded.unitemized_failures,
     last_at = CASE WHEN excluded.last_at > last_at THEN excluded.last_at ELSE last_at END,
     last_client = CASE WHEN excluded.last_at > last_at THEN excluded.last_client ELSE last_client END,
     last_status = CASE WHEN excluded.last_at > last_at THEN excluded.last_status ELSE last_status END`,
    tenant,
    batch.last.at,
    batch.last.client,
    batch.last.status,
    batch.unitemized,
  )
  return [...usage, ...failures, ...tokens, last]
}

/** Keeps each tenant's itemized failures and usage rows under their caps (newest kept). */
const capStatements = (tenant: string) => [
  statement(
    `DELETE FROM scim_failures WHERE tenant_name = ?1 AND seq <= (SELECT seq FROM scim_failures
     WHERE tenant_name = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)`,
    tenant,
    MAX_FAILURES_PER_TENANT,
  ),
  statement(
    `DELETE FROM scim_usage WHERE rowid IN (SELECT rowid FROM scim_usage WHERE tenant_name = ?1
     ORDER BY last_at DESC LIMIT -1 OFFSET ?2)`,
    tenant,
    MAX_USAGE_ROWS_PER_TENANT,
  ),
]

const isActivityBatch = (body: unknown): body is ActivityBatch => {
  const b = body as Partial<ActivityBatch> | null
  return (
    typeof b?.tenant === 'string' &&
    Array.isArray(b.usage) &&
    Array.isArray(b.failures) &&
    Array.isArray(b.tokens) &&
    typeof b.last?.at === 'string'
  )
}

/**
 * Writes a batch of activity messages to the control database: one D1 batch (one transaction) for
 * all of them, whatever the number of requests they aggregate.
 */
export async function consumeActivity(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // Only this Worker produces to the queue; a body of another shape (an older version's) is dropped.
  const bodies = batch.messages.map((m) => m.body).filter(isActivityBatch)
  const tenants = [...new Set(bodies.map((b) => b.tenant))]
  const statements = [...bodies.flatMap(statementsOf), ...tenants.flatMap(capStatements)]
  if (statements.length > 0) await d1Port(env.DB).batch(statements)
  batch.ackAll()
}
