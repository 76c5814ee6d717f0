import { type SQL, sql } from 'drizzle-orm'
import { EVENT_COLUMNS, MEMBER_IDS_PER_EVENT, returningEvents } from './events'
import type { Scope } from './resource-tables'

/**
 * Group membership writes. Each takes the member ids as ONE bound JSON array expanded with
 * `json_each` (D1 allows 100 bound parameters a statement), touches only the rows it names, and is
 * preceded by a statement that records the change event from exactly the rows it will change.
 */

export interface MembershipWriteContext extends Scope {
  readonly groupId: string
  readonly tokenId: string
  readonly at: string
}

/** Ids of `group` and of every group that contains it, directly or not: members that would close a cycle. */
const ancestry = (tenantId: string, groupId: string) => sql`WITH RECURSIVE ancestry(id) AS (
    SELECT ${groupId}
    UNION SELECT gm.group_id FROM ancestry a
      CROSS JOIN group_members gm ON gm.tenant_id = ${tenantId} AND gm.member_id = a.id
  )`

/** Candidate members of the tenant that exist, are not members yet, and close no cycle. */
const addable = (tenantId: string, groupId: string, ids: string) => sql`
  SELECT j.value AS member_id, CASE WHEN u.id IS NOT NULL THEN 'User' ELSE 'Group' END AS member_type
  FROM json_each(${ids}) j
  LEFT JOIN users u ON u.tenant_id = ${tenantId} AND u.id = j.value
  LEFT JOIN groups g ON g.tenant_id = ${tenantId} AND g.id = j.value
  WHERE (u.id IS NOT NULL OR (g.id IS NOT NULL AND j.value NOT IN (SELECT id FROM ancestry)))
    AND NOT EXISTS (SELECT 1 FROM group_members m
      WHERE m.tenant_id = ${tenantId} AND m.group_id = ${groupId} AND m.member_id = j.value)`

// An integer literal: a bound JS number arrives as REAL and would make the division fractional.
const CHUNK = sql.raw(String(MEMBER_IDS_PER_EVENT))

/**
 * Inserts an event row for each chunk of the member ids `rows` selects; none when it selects nothing.
 * `alsoRows` selects more event rows (the same columns) for the same INSERT: no extra statement.
 */
function eventFor(ctx: MembershipWriteContext, operation: string, prefix: SQL, rows: SQL, alsoRows?: SQL) {
  const { tenantId, groupId, tokenId, at } = ctx
  return returningEvents(sql`${prefix}
    INSERT INTO scim_events (${EVENT_COLUMNS})
    SELECT lower(hex(randomblob(16))), ${tenantId}, 'Group', ${groupId}, ${operation}, '["members"]',
      json_group_array(member_id),
      (SELECT version FROM groups WHERE tenant_id = ${tenantId} AND id = ${groupId}), ${at}, ${tokenId}
    FROM (SELECT member_id, (row_number() OVER (ORDER BY member_id) - 1) / ${CHUNK} AS chunk FROM (${rows}))
    GROUP BY chunk${alsoRows ? sql` UNION ALL ${alsoRows}` : sql``}`)
}

/**
 * Event rows (`removedFromAllGroups`, README "Webhooks") for the users among the `group_members` rows
 * of this group that `scope` selects, read before they are deleted, who belong to no other group and
 * whom no later operation of the same write adds back (`readded`). A user in no group directly is in
 * none through nesting either: a nested group reaches users only through its own direct members.
 */
export function usersLeftInNoGroup(ctx: MembershipWriteContext, scope: SQL, readded: readonly string[]) {
  const { tenantId, groupId, tokenId, at } = ctx
  // `group_members` unaliased: a member filter names its columns `group_members.…`.
  return sql`SELECT lower(hex(randomblob(16))), ${tenantId}, 'User', group_members.member_id, 'removedFromAllGroups',
      '["groups"]', NULL, NULL, ${at}, ${tokenId}
    FROM group_members WHERE ${scope} AND group_members.member_type = 'User'
      AND group_members.member_id NOT IN (SELECT value FROM json_each(${JSON.stringify(readded)}))
      AND NOT EXISTS (SELECT 1 FROM group_members other WHERE other.tenant_id = ${tenantId}
        AND other.member_id = group_members.member_id AND other.group_id <> ${groupId})`
}

/** Adds the members that exist in this tenant; unknown ids and cycles are skipped, present ones kept. */
export function addMembers(ctx: MembershipWriteContext, memberIds: readonly string[]) {
  const { tenantId, groupId } = ctx
  const ids = JSON.stringify(memberIds)
  const prefix = ancestry(tenantId, groupId)
  return [
    eventFor(
      ctx,
      'membersAdded',
      prefix,
      sql`SELECT DISTINCT member_id FROM (${addable(tenantId, groupId, ids)})`,
    ),
    sql`${prefix} INSERT OR IGNORE INTO group_members (tenant_id, group_id, member_id, member_type)
      SELECT ${tenantId}, ${groupId}, member_id, member_type FROM (${addable(tenantId, groupId, ids)})`,
  ]
}

/**
 * Removes the members whose rows match `where` (a condition on `group_members` columns), recording
 * the users it leaves in no group unless a later operation of the write adds them back (`readded`).
 */
export function removeMembersWhere(ctx: MembershipWriteContext, where: SQL, readded: readonly string[]) {
  const { tenantId, groupId } = ctx
  const scope = sql`tenant_id = ${tenantId} AND group_id = ${groupId} AND (${where})`
  return [
    eventFor(
      ctx,
      'membersRemoved',
      sql``,
      sql`SELECT member_id FROM group_members WHERE ${scope}`,
      usersLeftInNoGroup(ctx, scope, readded),
    ),
    sql`DELETE FROM group_members WHERE ${scope}`,
  ]
}

/** Removes the listed members; ids that are not members are no-ops. */
export const removeMembers = (
  ctx: MembershipWriteContext,
  memberIds: readonly string[],
  readded: readonly string[],
) =>
  removeMembersWhere(
    ctx,
    sql`member_id IN (SELECT value FROM json_each(${JSON.stringify(memberIds)}))`,
    readded,
  )

/** Removes every member. */
export const removeAllMembers = (ctx: MembershipWriteContext, readded: readonly string[]) =>
  removeMembersWhere(ctx, sql`1 = 1`, readded)

/**
 * For `memberId`, about to be deleted: bumps the versions of the groups that contain it and records
 * their events, then the event rows `laterEvents` selects (in that order, which `seq` keeps). Its
 * member rows go after these statements: a user's with its row (trigger, migration 0011), a group's
 * by `deleteResource`.
 */
export function leaveParents(
  scope: Scope & { tokenId: string; at: string },
  memberId: string,
  laterEvents: SQL,
) {
  const { tenantId, tokenId, at } = scope
  const parents = sql`SELECT group_id FROM group_members WHERE tenant_id = ${tenantId} AND member_id = ${memberId}`
  return [
    sql`UPDATE groups SET version = version + 1, last_modified = ${at}
      WHERE tenant_id = ${tenantId} AND id IN (${parents})`,
    returningEvents(sql`INSERT INTO scim_events (${EVENT_COLUMNS})
      SELECT lower(hex(randomblob(16))), ${tenantId}, 'Group', g.id, 'membersRemoved', '["members"]',
        json_array(${memberId}), g.version, ${at}, ${tokenId}
      FROM groups g WHERE g.tenant_id = ${tenantId} AND g.id IN (${parents}) UNION ALL ${laterEvents}`),
  ]
}
