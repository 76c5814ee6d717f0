/**
 * The change feed: a tenant's outbox (`scim_events`) read in commit order, page by page, from a
 * position the reader keeps. One D1 round trip a page. The transports (Directory over RPC, the
 * management API over HTTP) validate nothing themselves: they pass the caller's query here.
 */
import { EVENT_OPERATIONS, type EventOperation, OUTBOX_COLUMNS } from '../db/events'
import { issuerOf, toOutboxEvent } from '../ops/event-delivery'
import { type SecurityEventToken, setPayload } from '../ops/set-payload'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../query/limits'

/** The operations a feed reader may filter by: all of them. */
export const FEED_OPERATIONS = EVENT_OPERATIONS

/** The largest page, and the most outbox rows one page looks at when filters skip rows. */
export const MAX_FEED_PAGE = MAX_PAGE_SIZE

export interface FeedQuery {
  /** A `next` of an earlier page; omitted, the feed starts at the oldest event still retained. */
  readonly after?: string
  /** 1 to MAX_FEED_PAGE, default 100. */
  readonly limit?: number
  readonly resourceTypes?: readonly ('User' | 'Group')[]
  readonly operations?: readonly EventOperation[]
}

export interface FeedEvent {
  /** Opaque; resume after this event with `after: position`. */
  readonly position: string
  readonly resourceType: 'User' | 'Group'
  readonly resourceId: string
  readonly operation: EventOperation
  /** The same Security Event Token the queue carries (same `jti`), with `d1_bookmark`. */
  readonly token: SecurityEventToken
}

export interface FeedPage {
  readonly events: FeedEvent[]
  /** Where the next page starts: pass it as `after`, also when `events` is empty. */
  readonly next: string
  /** Whether more events may follow `next` right now; when false, poll again later. */
  readonly hasMore: boolean
  /** A D1 bookmark at least as new as the commit of every event of the page (null if D1 gives none). */
  readonly bookmark: string | null
}

export type FeedErrorCode = 'invalidFeedQuery' | 'positionExpired'

/** A query the feed refuses; `oldestPosition` says where a reader whose position expired can resume. */
export class FeedError extends Error {
  constructor(
    readonly code: FeedErrorCode,
    message: string,
    readonly oldestPosition?: string,
  ) {
    super(message)
    this.name = 'FeedError'
  }
}

/** The D1 calls the feed makes: one batch on a session, then its bookmark. */
export type FeedSession = Pick<D1DatabaseSession, 'prepare' | 'batch' | 'getBookmark'>

const POSITION = /^(0|[1-9]\d{0,15})$/

function positionOf(after: string | undefined): number | undefined {
  if (after === undefined) return undefined
  const seq = POSITION.test(after) ? Number(after) : Number.NaN
  if (!Number.isSafeInteger(seq)) {
    throw new FeedError(
      'invalidFeedQuery',
      `"after" must be a position returned by the feed, not ${JSON.stringify(after)}`,
    )
  }
  return seq
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_PAGE) {
    throw new FeedError('invalidFeedQuery', `"limit" must be an integer from 1 to ${MAX_FEED_PAGE}`)
  }
  return limit
}

function listOf<T extends string>(name: string, values: readonly T[] | undefined, allowed: readonly T[]) {
  if (values === undefined) return null
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => !allowed.includes(v))) {
    throw new FeedError('invalidFeedQuery', `"${name}" must be a non-empty list of ${allowed.join(', ')}`)
  }
  return JSON.stringify(values)
}

// The rows a page looks at: the tenant's next MAX_FEED_PAGE events by the (tenant_id, seq) index,
// so a filter that matches few rows never walks the whole outbox; `next` then moves past them.
const WINDOW = `SELECT * FROM scim_events WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ${MAX_FEED_PAGE}`

/**
 * One page of a tenant's change feed on `db`. A position older than the retention (the cron pruned
 * events after it) fails with `positionExpired` naming the oldest position from which the feed is
 * complete, never a page with a silent gap.
 */
export async function readFeed(
  db: FeedSession,
  env: Pick<Env, 'BASE_DOMAIN'>,
  tenant: string,
  query: FeedQuery,
  now = new Date(),
): Promise<FeedPage> {
  const after = positionOf(query.after)
  const limit = limitOf(query.limit)
  const types = listOf('resourceTypes', query.resourceTypes, ['User', 'Group'])
  const operations = listOf('operations', query.operations, FEED_OPERATIONS)
  const from = after ?? 0
  const [horizon, page, window, head] = await db.batch<Record<string, unknown>>([
    db.prepare('SELECT pruned_through AS seq FROM scim_event_horizons WHERE tenant_id = ?').bind(tenant),
    db
      .prepare(
        `SELECT ${OUTBOX_COLUMNS} FROM (${WINDOW})
          WHERE (?3 IS NULL OR resource_type IN (SELECT value FROM json_each(?3)))
            AND (?4 IS NULL OR operation IN (SELECT value FROM json_each(?4)))
          ORDER BY seq LIMIT ?5`,
      )
      .bind(tenant, from, types, operations, limit),
    db.prepare(`SELECT count(*) AS n, max(seq) AS last FROM (${WINDOW})`).bind(tenant, from),
    db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM scim_events'),
  ])
  const prunedThrough = Number(horizon?.results[0]?.seq ?? 0)
  if (after !== undefined && after < prunedThrough) {
    throw new FeedError(
      'positionExpired',
      `Events after position ${after} were pruned (EVENT_RETENTION_DAYS); the feed is complete from position ${prunedThrough}: resynchronise, then read after it`,
      String(prunedThrough),
    )
  }
  const bookmark = db.getBookmark()
  const rows = page?.results ?? []
  const scanned = Number(window?.results[0]?.n ?? 0)
  const events = rows.map((row) => feedEvent(row, env, bookmark, now))
  const pageFull = rows.length === limit
  const windowFull = scanned === MAX_FEED_PAGE
  // With neither full, every event of the tenant up to the database's newest was looked at.
  const next = pageFull
    ? Number(rows.at(-1)?.seq)
    : windowFull
      ? Number(window?.results[0]?.last)
      : Math.max(from, Number(head?.results[0]?.seq ?? 0), prunedThrough)
  return { events, next: String(next), hasMore: pageFull || windowFull, bookmark }
}

function feedEvent(
  row: Record<string, unknown>,
  env: Pick<Env, 'BASE_DOMAIN'>,
  bookmark: string | null,
  now: Date,
): FeedEvent {
  const event = toOutboxEvent(row)
  return {
    position: String(row.seq),
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    operation: event.operation,
    token: setPayload(event, issuerOf(env, event.tenantId), now, bookmark),
  }
}
