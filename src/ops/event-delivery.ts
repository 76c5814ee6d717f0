import { type EventOperation, OUTBOX_COLUMNS } from '../db/events'
import type { WebhookMessage } from '../webhooks/webhook-consumer'
import { type WebhookEvent, webhookEvent } from '../webhooks/webhook-event'
import { type OutboxEvent, type SecurityEventToken, setPayload } from './set-payload'

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
export type Outbox = Pick<D1DatabaseSession, 'prepare' | 'getBookmark'>

/** Events per `sendBatch` (Queues take 100 messages a batch) and rows the cron reads per page. */
export const PAGE = 100
/** Bytes of JSON per `sendBatch`, below the 256 KB a batch may carry. */
const BATCH_BYTES = 200_000

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
function batches<T>(messages: readonly T[]): T[][] {
  const groups: T[][] = []
  let bytes = 0
  for (const message of messages) {
    const size = encoder.encode(JSON.stringify(message)).length
    const last = groups.at(-1)
    if (!last || last.length >= PAGE || bytes + size > BATCH_BYTES) {
      groups.push([message])
      bytes = size
    } else {
      last.push(message)
      bytes += size
    }
  }
  return groups
}

/** One UPDATE marking the events of these `seq`s delivered: by primary key, one bound JSON array. */
async function markDelivered(db: Outbox, seqs: readonly number[]) {
  await db
    .prepare(
      `UPDATE scim_events SET delivered_at = ?
        WHERE seq IN (SELECT value FROM json_each(?)) AND delivered_at IS NULL`,
    )
    .bind(new Date().toISOString(), JSON.stringify(seqs))
    .run()
}

/** An outbox row ready to send: its SET for SCIM_EVENTS and, unless skipped, its dispatch for SCIM_WEBHOOKS. */
export interface DeliveryEntry {
  readonly seq: number
  readonly token: SecurityEventToken
  readonly webhook?: WebhookEvent
}

/**
 * The entries of outbox rows; `bookmark` is at least as new as the commit of every row. With
 * `endpointsInWrite` (the rows were returned by a write on the control database, which holds the
 * webhook endpoints), a row no enabled endpoint covered in that write's transaction gets no webhook
 * dispatch: an endpoint receives the events committed after it was registered or enabled, and an
 * event committed before has no endpoint to go to. Otherwise every row is dispatched, and the
 * webhook consumer finds its endpoints.
 */
export function deliveryEntries(
  env: Env,
  rows: readonly Record<string, unknown>[],
  bookmark: string | null,
  endpointsInWrite = false,
): DeliveryEntry[] {
  const now = new Date()
  return rows.map((row) => {
    const event = toOutboxEvent(row)
    const token = setPayload(event, issuerOf(env, event.tenantId), now, bookmark)
    const seq = Number(row.seq)
    if (endpointsInWrite && row.webhookCovered === 0) return { seq, token }
    return { seq, token, webhook: webhookEvent(event, seq, token) }
  })
}

/**
 * Sends entries to each bound queue, in at most `maxBatches` batches, then marks what was sent
 * delivered with ONE statement, also when a later batch failed: the rest stays undelivered for the
 * cron (at-least-once; receivers de-duplicate by `jti`). Answers how many were sent.
 */
export async function sendEntries(
  db: Outbox,
  sinks: DeliverySinks,
  entries: readonly DeliveryEntry[],
  maxBatches = Number.POSITIVE_INFINITY,
) {
  const sent: number[] = []
  try {
    for (const group of batches(entries).slice(0, maxBatches)) {
      await sinks.events?.sendBatch(group.map(({ token }) => ({ body: token, contentType: 'json' as const })))
      const dispatches = group.flatMap(({ webhook }) =>
        webhook
          ? [
              {
                body: { kind: 'dispatch', event: webhook } satisfies WebhookMessage,
                contentType: 'json' as const,
              },
            ]
          : [],
      )
      if (dispatches.length > 0) await sinks.webhooks?.sendBatch(dispatches)
      sent.push(...group.map((entry) => entry.seq))
    }
  } finally {
    if (sent.length > 0) await markDelivered(db, sent)
  }
  return sent.length
}

/** Sends outbox rows as SET payloads (`sendEntries`); `bookmark` as for `deliveryEntries`. */
export const deliverRows = (
  db: Outbox,
  sinks: DeliverySinks,
  env: Env,
  rows: readonly Record<string, unknown>[],
  bookmark: string | null,
) => sendEntries(db, sinks, deliveryEntries(env, rows, bookmark))

/**
 * Re-sends a database's undelivered events of every tenant, oldest first, up to `maxPages` pages:
 * those that occurred before `before` only. Younger ones may still be on their way from the request
 * that wrote them (its delivery after the answer), and sending them here too would only duplicate them.
 */
export async function resendUndelivered(
  db: Outbox,
  sinks: DeliverySinks,
  env: Env,
  before: string,
  maxPages: number,
) {
  let sent = 0
  for (let page = 0; page < maxPages; page++) {
    const { results } = await db
      .prepare(
        `SELECT ${OUTBOX_COLUMNS} FROM scim_events WHERE delivered_at IS NULL AND occurred_at < ?
          ORDER BY seq LIMIT ${PAGE}`,
      )
      .bind(before)
      .all()
    // Taken after the read: at least as new as the commit of each row read.
    sent += await deliverRows(db, sinks, env, results, db.getBookmark())
    if (results.length < PAGE) break
  }
  return sent
}
