import { sql } from 'drizzle-orm'
import type { Limits } from '../limits'
import type { Scope } from './resource-tables'

/**
 * The last statement of a batch that adds members to `groupId`: it fails the batch (NOT NULL on
 * the column of the bound) when, with the new memberships, the group holds more groups than
 * `nestedGroupsPerGroup` or a chain of nested groups through it is longer than `groupNestingDepth`.
 * A new chain must pass through the group that gained members, so the chains checked are the
 * longest above it plus the longest below it. Each walk carries (group, level) up to the bound plus
 * one, so it reads at most groups × (bound + 1) rows, however many paths there are.
 */
export function nestingGuard(scope: Scope, groupId: string, limits: Limits) {
  const t = scope.tenantId
  const cap = sql.raw(String(limits.groupNestingDepth))
  return sql`WITH RECURSIVE
    up(id, level) AS (SELECT ${groupId}, 1
      UNION SELECT gm.group_id, up.level + 1 FROM up
        CROSS JOIN group_members gm ON gm.tenant_id = ${t} AND gm.member_id = up.id WHERE up.level <= ${cap}),
    down(id, level) AS (SELECT ${groupId}, 1
      UNION SELECT gm.member_id, down.level + 1 FROM down
        CROSS JOIN group_members gm ON gm.tenant_id = ${t} AND gm.group_id = down.id AND gm.member_type = 'Group'
        WHERE down.level <= ${cap}),
    measured(depth, nested) AS (SELECT (SELECT max(level) FROM up) + (SELECT max(level) FROM down) - 1,
      (SELECT count(*) FROM group_members WHERE tenant_id = ${t} AND group_id = ${groupId} AND member_type = 'Group'))
    INSERT INTO nesting_guard (depth, nested_groups)
    SELECT CASE WHEN depth > ${cap} THEN NULL ELSE depth END,
      CASE WHEN nested > ${sql.raw(String(limits.nestedGroupsPerGroup))} THEN NULL ELSE nested END
    FROM measured WHERE depth > ${cap} OR nested > ${sql.raw(String(limits.nestedGroupsPerGroup))}`
}
