import { TAIL_EVENTS } from './events-args'

/** One change event as `npm run events` shows it (the `scim_events` row; docs/storage-contract.md). */
export interface EventRecord {
  seq: number
  id: string
  resourceType: string
  resourceId: string
  operation: string
  attributes: string[] | null
  memberIds: string[] | null
  version: number | null
  occurredAt: string
  tokenId: string | null
  deliveredAt: string | null
}

/** Rows per `wrangler d1 execute` when reading forward. */
export const EVENTS_PAGE = 500

const COLUMNS = `seq, id, resource_type AS resourceType, resource_id AS resourceId, operation, attributes,
  member_ids AS memberIds, version, occurred_at AS occurredAt, token_id AS tokenId, delivered_at AS deliveredAt`

// `wrangler d1 execute --command` takes no bound parameters; values are validated before they get
// here (tenant names, ISO times, integers) and quoted anyway.
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`

/** The last TAIL_EVENTS events of a tenant, oldest first. */
export function tailSql(tenant: string): string {
  return `SELECT * FROM (SELECT ${COLUMNS} FROM scim_events WHERE tenant_id = ${quote(tenant)}
    ORDER BY seq DESC LIMIT ${TAIL_EVENTS}) ORDER BY seq`
}

/** The next page of a tenant's events after `afterSeq`, from `since` on when given. */
export function pageSql(tenant: string, afterSeq: number, since?: string): string {
  const from = since === undefined ? '' : ` AND occurred_at >= ${quote(since)}`
  return `SELECT ${COLUMNS} FROM scim_events WHERE tenant_id = ${quote(tenant)} AND seq > ${Math.trunc(afterSeq)}${from}
    ORDER BY seq LIMIT ${EVENTS_PAGE}`
}

/** A row of wrangler's JSON output as an EventRecord. */
export function toEventRecord(row: Record<string, unknown>): EventRecord {
  const list = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as string[]) : null)
  const text = (value: unknown) => (typeof value === 'string' ? value : null)
  return {
    seq: Number(row.seq),
    id: String(row.id),
    resourceType: String(row.resourceType),
    resourceId: String(row.resourceId),
    operation: String(row.operation),
    attributes: list(row.attributes),
    memberIds: list(row.memberIds),
    version: typeof row.version === 'number' ? row.version : null,
    occurredAt: String(row.occurredAt),
    tokenId: text(row.tokenId),
    deliveredAt: text(row.deliveredAt),
  }
}

/** What changed, in words: the attributes, or the members added or removed. */
function change(event: EventRecord): string {
  const members = event.memberIds?.length ?? 0
  if (event.operation === 'membersAdded') return `+${members} member${members === 1 ? '' : 's'}`
  if (event.operation === 'membersRemoved') return `-${members} member${members === 1 ? '' : 's'}`
  return event.attributes?.length ? event.attributes.join(', ') : ''
}

/** One event as a line for people: time, operation, resource, version, change, token, delivery. */
export function formatEvent(event: EventRecord): string {
  return [
    event.occurredAt,
    event.operation.padEnd(14),
    `${event.resourceType.padEnd(5)} ${event.resourceId}`,
    event.version === null ? '  ' : `v${event.version}`,
    event.deliveredAt ? 'delivered' : 'pending  ',
    event.tokenId ? `by ${event.tokenId}` : '',
    change(event),
  ]
    .join('  ')
    .trimEnd()
}
