import { type SQL, sql } from 'drizzle-orm'
import { type ChangeEvent, recordEvent } from './events'
import { rowsOfKind } from './group-graph'
import { detachFromParents, usersLeftInNoGroup } from './memberships'
import { byId, type ResourceTable, rowOf, type Scope, type StoredResource } from './resource-tables'
import { releaseValues } from './unique-values'

/** Scope of a write: the tenant's database plus who writes and when. */
export interface WriteScope extends Scope {
  readonly tokenId: string
  readonly at: string
}

const tableName = (table: ResourceTable) => sql.raw(table.type === 'User' ? 'users' : 'groups')

/**
 * The batch's first statement: it fails (NOT NULL) when the resource is gone or, given
 * `versions`, when its version is none of them, so the whole batch rolls back. An `UPDATE … WHERE
 * version = ?` alone would match no row and let the rest of the batch commit.
 */
export function guard(scope: Scope, table: ResourceTable, id: string, versions?: readonly number[]) {
  // Integer literals, not bound parameters: an If-Match may list more tags than D1 binds (100).
  const literals = versions?.filter(Number.isSafeInteger).join(', ')
  const version = literals === undefined ? sql`` : sql` AND version IN (${sql.raw(literals)})`
  return sql`INSERT INTO write_guard (conflict) SELECT NULL WHERE NOT EXISTS
    (SELECT 1 FROM ${tableName(table)} WHERE tenant_id = ${scope.tenantId} AND id = ${id}${version})`
}

/** Keeps `resource_counts` in step with a create (+1) or delete (-1), in the same batch. */
function countChange(tenantId: string, table: ResourceTable, delta: 1 | -1) {
  return sql`INSERT INTO resource_counts (tenant_id, resource_type, count) VALUES (${tenantId}, ${table.type}, ${sql.raw(String(delta))})
    ON CONFLICT (tenant_id, resource_type) DO UPDATE SET count = count + ${sql.raw(String(delta))}`
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
    ...table.children(scope, stored, false),
    countChange(tenantId, table, 1),
    recordEvent(tenantId, tokenId, at, event),
  ]
}

/** Statements that overwrite a resource whose version is `expectedVersion` with `stored`. */
export function updateResource(
  scope: WriteScope,
  table: ResourceTable,
  stored: StoredResource,
  expectedVersion: number,
  events: readonly ChangeEvent[],
) {
  const { db, tenantId, tokenId, at } = scope
  const { tenantId: _, id: __, created: ___, ...columns } = rowOf(table, scope, stored)
  return [
    guard(scope, table, stored.id, [expectedVersion]),
    db
      .update(table.table)
      .set(columns as never)
      .where(byId(table, tenantId, stored.id)),
    ...table.children(scope, stored, true),
    ...events.map((event) => recordEvent(tenantId, tokenId, at, event)),
  ]
}

/** Statements that delete a resource, its child rows and memberships, and record the events. */
export function deleteResource(
  scope: WriteScope,
  table: ResourceTable,
  id: string,
  versions?: readonly number[],
) {
  const { db, tenantId, tokenId, at } = scope
  const own =
    table.type === 'User'
      ? [sql`DELETE FROM user_emails WHERE tenant_id = ${tenantId} AND user_id = ${id}`]
      : [sql`DELETE FROM group_members WHERE tenant_id = ${tenantId} AND group_id = ${id}`]
  // A group's users for whom it was the last group: recorded before its member rows go.
  const leftInNoGroup =
    table.type === 'Group'
      ? usersLeftInNoGroup({ ...scope, groupId: id }, sql`tenant_id = ${tenantId} AND group_id = ${id}`, [])
      : undefined
  return [
    guard(scope, table, id, versions),
    ...detachFromParents(scope, id, leftInNoGroup),
    ...own,
    releaseValues(tenantId, table.type, id),
    db.delete(table.table).where(byId(table, tenantId, id)),
    countChange(tenantId, table, -1),
    recordEvent(tenantId, tokenId, at, {
      resourceType: table.type,
      resourceId: id,
      operation: 'deleted',
    }),
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

/** The members of the groups that `rows` selects, with their display names, RFC 7643 §4.2. */
export function selectMembersOfGroups(scope: Scope, rows: SQL) {
  const { tenantId } = scope
  return sql`WITH ${rowsOfKind(rows, 'Group')}
    SELECT m.group_id AS groupId, m.member_id AS value, m.member_type AS type,
      coalesce(u.display_name, u.user_name, g.display_name) AS display
    FROM group_members m
    LEFT JOIN users u ON m.member_type = 'User' AND u.tenant_id = m.tenant_id AND u.id = m.member_id
    LEFT JOIN groups g ON m.member_type = 'Group' AND g.tenant_id = m.tenant_id AND g.id = m.member_id
    WHERE m.tenant_id = ${tenantId} AND m.group_id IN (SELECT id FROM ids)
    ORDER BY m.group_id, m.member_id`
}
