import { type SQL, sql } from 'drizzle-orm'
import { type ChangeEvent, eventValues, recordEvent } from './events'
import { membershipsInPageOrder, rowsOfKind } from './group-graph'
import { leaveParents, usersLeftInNoGroup } from './memberships'
import { byId, type ResourceTable, rowOf, type Scope, type StoredResource } from './resource-tables'
import { releaseValues } from './unique-values'

/** Scope of a write: the tenant's database plus who writes and when. */
export interface WriteScope extends Scope {
  readonly tokenId: string
  readonly at: string
}

const tableName = (table: ResourceTable) => sql.raw(table.type === 'User' ? 'users' : 'groups')

/** The resource exists and, given `versions`, its version is one of them. */
function unchanged(scope: Scope, table: ResourceTable, id: string, versions?: readonly number[]) {
  // Integer literals, not bound parameters: an If-Match may list more tags than D1 binds (100).
  const literals = versions?.filter(Number.isSafeInteger).join(', ')
  const version = literals === undefined ? sql`` : sql` AND version IN (${sql.raw(literals)})`
  return sql`EXISTS (SELECT 1 FROM ${tableName(table)} WHERE tenant_id = ${scope.tenantId} AND id = ${id}${version})`
}

/**
 * A write guard, the batch's first statement: it fails (NOT NULL) when the resource is gone or,
 * given `versions`, when its version is none of them, so the whole batch rolls back. An `UPDATE …
 * WHERE version = ?` alone would match no row and let the rest of the batch commit. Writes that
 * record their own change event or count let that statement be the guard instead (`onlyIf` of
 * `recordEvent` and `countChange`), one statement fewer.
 */
export function guard(scope: Scope, table: ResourceTable, id: string, versions?: readonly number[]) {
  return sql`INSERT INTO write_guard (conflict) SELECT NULL WHERE NOT ${unchanged(scope, table, id, versions)}`
}

/**
 * Keeps `resource_counts` in step with a create (+1) or delete (-1), in the same batch. Given
 * `onlyIf` (a condition), it is also the batch's write guard: unless the condition holds, the
 * delta is NULL, and the NOT NULL violation (on insert and on update alike) rolls the batch back.
 */
function countChange(tenantId: string, table: ResourceTable, delta: 1 | -1, onlyIf?: SQL) {
  const literal = sql.raw(String(delta))
  const value = onlyIf ? sql`CASE WHEN ${onlyIf} THEN ${literal} END` : literal
  // `WHERE true`: SQLite's upsert after INSERT … SELECT needs it to parse ON CONFLICT.
  return sql`INSERT INTO resource_counts (tenant_id, resource_type, count) SELECT ${tenantId}, ${table.type}, ${value} WHERE true
    ON CONFLICT (tenant_id, resource_type) DO UPDATE SET count = count + excluded.count`
}

/** Statements that create `stored` and record the event. */
export function insertResource(
  scope: WriteScope,
  table: ResourceTable,
  stored: StoredResource,
  event: ChangeEvent,
) {
  const { db, tenantId, tokenId, at } = scope
  return [
    db.insert(table.table).values(rowOf(table, scope, stored) as never),
    ...table.children(scope, stored),
    countChange(tenantId, table, 1),
    recordEvent(tenantId, tokenId, at, event),
  ]
}

/**
 * Statements that overwrite `previous` (the resource at version `previous.version`) with `stored`,
 * recording `event`, which guards the batch: once it committed, the row is exactly `stored`.
 */
export function updateResource(
  scope: WriteScope,
  table: ResourceTable,
  stored: StoredResource,
  previous: StoredResource,
  event: ChangeEvent,
) {
  const { db, tenantId, tokenId, at } = scope
  const { tenantId: _, id: __, created: ___, ...columns } = rowOf(table, scope, stored)
  return [
    recordEvent(tenantId, tokenId, at, event, unchanged(scope, table, stored.id, [previous.version])),
    db
      .update(table.table)
      .set(columns as never)
      .where(byId(table, tenantId, stored.id)),
    ...table.children(scope, stored, previous.resource),
  ]
}

/**
 * Statements that delete a resource, its child rows and memberships, and record the events. A user's
 * own rows (memberships, emails, unique values) go with its row, by trigger (migration 0011): fewer
 * statements for the commonest delete. A group's go here: its members are unbounded, and a trigger
 * would delete them all within one statement of a tenant-deletion round, which bounds its rows.
 */
export function deleteResource(
  scope: WriteScope,
  table: ResourceTable,
  id: string,
  versions?: readonly number[],
) {
  const { db, tenantId, tokenId, at } = scope
  const event: ChangeEvent = { resourceType: table.type, resourceId: id, operation: 'deleted', version: null }
  const deleted = sql`SELECT ${eventValues(tenantId, tokenId, at, event)}`
  // The count is the guard here; the deletion's event comes after those of the groups it left.
  const guard = countChange(tenantId, table, -1, unchanged(scope, table, id, versions))
  const row = db.delete(table.table).where(byId(table, tenantId, id))
  if (table.type === 'User') return [guard, ...leaveParents(scope, id, deleted), row]
  // A group's users for whom it was the last group: recorded before its member rows go.
  const leftInNoGroup = usersLeftInNoGroup(
    { ...scope, groupId: id },
    sql`tenant_id = ${tenantId} AND group_id = ${id}`,
    [],
  )
  return [
    guard,
    ...leaveParents(scope, id, sql`${leftInNoGroup} UNION ALL ${deleted}`),
    sql`DELETE FROM group_members WHERE tenant_id = ${tenantId} AND group_id = ${id}`,
    sql`DELETE FROM group_members WHERE tenant_id = ${tenantId} AND member_id = ${id}`,
    releaseValues(tenantId, table.type, id),
    row,
  ]
}

/** Reads one stored resource; map its row with `toStored`. */
export function selectResource(scope: Scope, table: ResourceTable, id: string) {
  return sql`SELECT id, created, last_modified AS lastModified, version, resource
    FROM ${tableName(table)} WHERE tenant_id = ${scope.tenantId} AND id = ${id}`
}

/** A row of `selectResource` (or any query selecting the same columns) as a StoredResource. */
export function toStored(row: Record<string, unknown>): StoredResource {
  return {
    id: String(row.id),
    created: String(row.created),
    lastModified: String(row.lastModified),
    version: Number(row.version),
    resource: JSON.parse(String(row.resource)) as Record<string, unknown>,
  }
}

export interface MemberOfGroup {
  groupId: string
  value: string
  type: 'User' | 'Group'
  display: string | null
}

/**
 * The members of the groups that `rows` selects, with their display names, RFC 7643 §4.2; with a
 * `budget` (a list page), read in page order up to it (`membershipsInPageOrder`).
 */
export function selectMembersOfGroups(scope: Scope, rows: SQL, budget = Number.POSITIVE_INFINITY) {
  const { tenantId } = scope
  const members = membershipsInPageOrder(
    sql`m.tenant_id, m.group_id, m.member_id, m.member_type`,
    sql`group_members m ON m.tenant_id = ${tenantId} AND m.group_id = i.id`,
    budget,
  )
  return sql`WITH ${rowsOfKind(rows, 'Group')}, members AS MATERIALIZED (${members})
    SELECT m.group_id AS groupId, m.member_id AS value, m.member_type AS type,
      coalesce(u.display_name, u.user_name, g.display_name) AS display
    FROM members m
    LEFT JOIN users u ON m.member_type = 'User' AND u.tenant_id = m.tenant_id AND u.id = m.member_id
    LEFT JOIN groups g ON m.member_type = 'Group' AND g.tenant_id = m.tenant_id AND g.id = m.member_id
    ORDER BY m.group_id, m.member_id`
}
