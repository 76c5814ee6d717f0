import type { EventOperation } from '../db/events'
import { type OutboxEvent, type SecurityEventToken, setPayload } from './set-payload'

/** The D1 calls delivery makes on its session, the bookmark included. */
export type Outbox = Pick<D1DatabaseSession, 'prepare' | 'batch' | 'getBookmark'>

/** Rows read per page: one `sendBatch` at most (Queues take 100 messages a batch). */
const PAGE = 100
/** Bytes of JSON per `sendBatch`, below the 256 KB a batch may carry. */
const BATCH_BYTES = 200_000

export const OUTBOX_COLUMNS = `seq, id, tenant_id AS tenantId, resource_type AS resourceType, resource_id AS resourceId,
  operation, attributes, member_ids AS memberIds, version, occurred_at AS occurredAt`

/** The `iss` of a tenant's events: its SCIM base URL, where a receiver GETs `sub_id.uri` (RFC 9967 §2.1). */
export const issuerOf = (env: Pick<Env, 'BASE_DOMAIN'>, tenant: string) =>
  `https://${tenant}.${env.BASE_DOMAIN}/scim/v2`

export function toOutboxEvent(row: Record<string, unknown>): OutboxEvent {
  const list = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as string[]) : null)
  return {
    id: String(row.id),
    tenantId: String(row.tenantId),
    resourceType: row.resourceType === 'Group' ? 'Group' : 'User',
    resourceId: String(row.resourceId),
    operation: String(row.operation) as EventOperation,
    attributes: list(row.attributes),
    memberIds: list(row.memberIds),
    version: typeof row.version === 'number' ? row.version : null,
    occurredAt: String(row.occurredAt),
  }
}

const encoder = new TextEncoder()

/** Splits messages into `sendBatch`-sized groups by count and bytes. */
function batches(tokens: SecurityEventToken[]): SecurityEventToken[][] {
  const groups: SecurityEventToken[][] = []
  let bytes = 0
  for (const token of tokens) {
    const size = encoder.encode(JSON.stringify(token)).length
    const last = groups.at(-1)
    if (!last || bytes + size > BATCH_BYTES) {
      groups.push([token])
      bytes = size
    } else {
      last.push(token)
      bytes += size
    }
  }
  return groups
}

/**
 * Sends outbox rows as SET payloads and marks each batch delivered only after its send succeeded,
 * so a failure leaves the rest for the cron (at-least-once; receivers de-duplicate by `jti`).
 */
async function sendAndMark(db: Outbox, queue: Queue, env: Env, rows: Record<string, unknown>[]) {
  const now = new Date()
  // Taken after the read of `rows`: at least as new as the commit of each of them.
  const bookmark = db.getBookmark()
  const tokens = rows.map((row) => {
    const event = toOutboxEvent(row)
    return setPayload(event, issuerOf(env, event.tenantId), now, bookmark)
  })
  let sent = 0
  for (const group of batches(tokens)) {
    await queue.sendBatch(group.map((body) => ({ body, contentType: 'json' as const })))
    await db
      .prepare(
        `UPDATE scim_events SET delivered_at = ?
          WHERE id IN (SELECT value FROM json_each(?)) AND delivered_at IS NULL`,
      )
      .bind(new Date().toISOString(), JSON.stringify(group.map((token) => token.jti)))
      .run()
    sent += group.length
  }
  return sent
}

/**
 * Sends a tenant's undelivered events that occurred since `since` (the start of the request that
 * wrote them), up to `maxPages` pages (a /Bulk request writes many); run after the write commits
 * (RFC 9967 §2.4). Older ones are the cron's, so a backlog is not re-sent by every request.
 */
export async function deliverTenantEvents(
  db: Outbox,
  queue: Queue,
  env: Env,
  tenant: string,
  since: string,
  maxPages: number,
) {
  let sent = 0
  for (let page = 0; page < maxPages; page++) {
    const { results } = await db
      .prepare(
        `SELECT ${OUTBOX_COLUMNS} FROM scim_events WHERE tenant_id = ? AND delivered_at IS NULL AND occurred_at >= ?
          ORDER BY seq LIMIT ${PAGE}`,
      )
      .bind(tenant, since)
      .all()
    sent += await sendAndMark(db, queue, env, results)
    if (results.length < PAGE) break
  }
  return sent
}

/** Re-sends a database's undelivered events of every tenant, oldest first, up to `maxPages` pages. */
export async function resendUndelivered(db: Outbox, queue: Queue, env: Env, maxPages: number) {
  let sent = 0
  for (let page = 0; page < maxPages; page++) {
    const { results } = await db
      .prepare(
        `SELECT ${OUTBOX_COLUMNS} FROM scim_events WHERE delivered_at IS NULL ORDER BY seq LIMIT ${PAGE}`,
      )
      .all()
    sent += await sendAndMark(db, queue, env, results)
    if (results.length < PAGE) break
  }
  return sent
}
