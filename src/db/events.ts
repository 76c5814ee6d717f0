import { type SQL, sql } from 'drizzle-orm'
import type { Statement } from './batch'

/**
 * What happened to a resource, as recorded in the change log (issue: change events). A User
 * `removedFromAllGroups` was left in no group by a group write (README, "Webhooks").
 */
export const EVENT_OPERATIONS = [
  'created',
  'replaced',
  'patched',
  'deactivated',
  'reactivated',
  'deleted',
  'membersAdded',
  'membersRemoved',
  'removedFromAllGroups',
] as const
export type EventOperation = (typeof EVENT_OPERATIONS)[number]

export interface ChangeEvent {
  resourceType: 'User' | 'Group'
  resourceId: string
  operation: EventOperation
  attributes?: readonly string[]
  memberIds?: readonly string[]
  /** The version after the change; null for none (a deletion); omitted to read it from the row. */
  version?: number | null
}

/** The outbox columns as delivery and the feed read them (`toOutboxEvent`). */
export const OUTBOX_COLUMNS = `seq, id, tenant_id AS tenantId, resource_type AS resourceType, resource_id AS resourceId,
  operation, attributes, member_ids AS memberIds, version, occurred_at AS occurredAt`

const RETURNS_EVENTS = new WeakSet<Statement>()

/**
 * Whether an enabled webhook endpoint covered the event's tenant when it committed, read in the
 * write's own transaction. Endpoints live in the control database (DB) only: on another database it
 * is always false and means nothing (`deliveryEntries`).
 */
const WEBHOOK_COVERED = `EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.enabled = 1
  AND (w.tenant IS NULL OR w.tenant = scim_events.tenant_id)) AS webhookCovered`

/**
 * An INSERT into `scim_events` that returns the rows it inserted, in the same batch: the request
 * then holds its own events and sends them after the commit without reading the outbox back.
 */
export function returningEvents(insert: SQL): SQL {
  const statement = sql`${insert} RETURNING ${sql.raw(OUTBOX_COLUMNS)}, ${sql.raw(WEBHOOK_COVERED)}`
  RETURNS_EVENTS.add(statement)
  return statement
}

/** The event rows that a committed batch's `returningEvents` statements returned. */
export function eventRowsOf(
  statements: readonly Statement[],
  results: readonly Record<string, unknown>[][],
): Record<string, unknown>[] {
  return statements.flatMap((statement, i) => (RETURNS_EVENTS.has(statement) ? (results[i] ?? []) : []))
}

/** Member ids per event row, so no row nears D1's 1 MB value limit. */
export const MEMBER_IDS_PER_EVENT = 1000

/** The columns an event row gives, in the order `eventValues` and the other event SELECTs give them. */
export const EVENT_COLUMNS = sql.raw(
  'id, tenant_id, resource_type, resource_id, operation, attributes, member_ids, version, occurred_at, token_id',
)

/**
 * `event`'s values for EVENT_COLUMNS, to insert alone (`recordEvent`, as VALUES: a SELECT would
 * count a row read more) or after other event rows in one INSERT (as a SELECT). The version is read
 * from the row when not given (membership changes bump it in SQL). Given `onlyIf` (a condition), its
 * id is NULL unless the condition holds.
 */
export function eventValues(tenantId: string, tokenId: string, at: string, event: ChangeEvent, onlyIf?: SQL) {
  const table = event.resourceType === 'User' ? sql`users` : sql`groups`
  const version =
    event.version !== undefined
      ? event.version
      : sql`(SELECT version FROM ${table} WHERE tenant_id = ${tenantId} AND id = ${event.resourceId})`
  const id = onlyIf ? sql`CASE WHEN ${onlyIf} THEN ${crypto.randomUUID()} END` : crypto.randomUUID()
  return sql`${id}, ${tenantId}, ${event.resourceType}, ${event.resourceId}, ${event.operation},
      ${event.attributes ? JSON.stringify(event.attributes) : null},
      ${event.memberIds ? JSON.stringify(event.memberIds) : null}, ${version}, ${at}, ${tokenId}`
}

/**
 * The statement that records `event` in the same batch as the change it describes, so an event
 * exists exactly when its change committed. Given `onlyIf` (a condition), the statement is also the
 * batch's write guard (src/db/resource-store.ts): unless the condition holds, the event's id is
 * NULL, and the NOT NULL violation rolls the whole batch back.
 */
export function recordEvent(tenantId: string, tokenId: string, at: string, event: ChangeEvent, onlyIf?: SQL) {
  return returningEvents(
    sql`INSERT INTO scim_events (${EVENT_COLUMNS}) VALUES (${eventValues(tenantId, tokenId, at, event, onlyIf)})`,
  )
}

/** Events for a membership change, with the member ids split into chunks. */
export function membershipEvents(
  groupId: string,
  operation: 'membersAdded' | 'membersRemoved',
  memberIds: readonly string[],
): ChangeEvent[] {
  const events: ChangeEvent[] = []
  for (let i = 0; i < memberIds.length; i += MEMBER_IDS_PER_EVENT) {
    const chunk = memberIds.slice(i, i + MEMBER_IDS_PER_EVENT)
    events.push({
      resourceType: 'Group',
      resourceId: groupId,
      operation,
      attributes: ['members'],
      memberIds: chunk,
    })
  }
  return events
}
