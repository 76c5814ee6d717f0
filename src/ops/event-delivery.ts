import type { EventOperation } from '../db/events'
import type { WebhookMessage } from '../webhooks/webhook-consumer'
import { webhookEvent } from '../webhooks/webhook-event'
import { type OutboxEvent, setPayload } from './set-payload'

/**
 * Where committed change events go: the SaaS application's SCIM_EVENTS queue and this Worker's
 * webhook queue, each when bound. One outbox, one mark: an event is delivered once both took it.
 */
export interface DeliverySinks {
  readonly events?: Queue | undefined
  readonly webhooks?: Queue | undefined
}

export const sinksOf = (env: Env): DeliverySinks => ({ events: env.SCIM_EVENTS, webhooks: env.SCIM_WEBHOOKS })
export const hasSink = (sinks: DeliverySinks) => Boolean(sinks.events || sinks.webhooks)

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
function batches<T>(tokens: T[]): T[][] {
  const groups: T[][] = []
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
async function sendAndMark(db: Outbox, sinks: DeliverySinks, env: Env, rows: Record<string, unknown>[]) {
  const now = new Date()
  // Taken after the read of `rows`: at least as new as the commit of each of them.
  const bookmark = db.getBookmark()
  const entries = rows.map((row) => {
    const event = toOutboxEvent(row)
    const token = setPayload(event, issuerOf(env, event.tenantId), now, bookmark)
    return { token, webhook: webhookEvent(event, Number(row.seq), token) }
  })
  let sent = 0
  for (const group of batches(entries)) {
    const tokens = group.map((entry) => entry.token)
    await sinks.events?.sendBatch(tokens.map((body) => ({ body, contentType: 'json' as const })))
    await sinks.webhooks?.sendBatch(
      group.map(({ webhook }) => ({
        body: { kind: 'dispatch', event: webhook } satisfies WebhookMessage,
        contentType: 'json' as const,
      })),
    )
    await db
      .prepare(
        `UPDATE scim_events SET delivered_at = ?
          WHERE id IN (SELECT value FROM json_each(?)) AND delivered_at IS NULL`,
      )
      .bind(new Date().toISOString(), JSON.stringify(tokens.map((token) => token.jti)))
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
  sinks: DeliverySinks,
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
    sent += await sendAndMark(db, sinks, env, results)
    if (results.length < PAGE) break
  }
  return sent
}

/** Re-sends a database's undelivered events of every tenant, oldest first, up to `maxPages` pages. */
export async function resendUndelivered(db: Outbox, sinks: DeliverySinks, env: Env, maxPages: number) {
  let sent = 0
  for (let page = 0; page < maxPages; page++) {
    const { results } = await db
      .prepare(
        `SELECT ${OUTBOX_COLUMNS} FROM scim_events WHERE delivered_at IS NULL ORDER BY seq LIMIT ${PAGE}`,
      )
      .all()
    sent += await sendAndMark(db, sinks, env, results)
    if (results.length < PAGE) break
  }
  return sent
}
