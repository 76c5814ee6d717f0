import { type SQL, sql } from 'drizzle-orm'
import type { AttributePath, FilterNode } from '../filter/ast'
import { foldCase } from '../filter/fold-case'
import { ScimError } from '../http/scim-error'
import type { AttributeDefinition } from '../schema/attribute'
import { instantOf, jsonOperand, jsonPath, type Operand } from './compare-sql'
import { column, type FilterTarget, foldedDocument, isCore, isUserTarget, jsonKeys } from './row-operands'

/**
 * The elements of a multi-valued attribute as rows, so that one element must satisfy a whole value
 * filter (RFC 7644 §3.4.2.2 `emails[type eq "work" and value co "@x"]`).
 */
export interface ElementRows {
  /** The operand of a sub-attribute of one element, or of the element itself for a list of simple values. */
  operand(sub: AttributeDefinition | undefined): Operand
  /** A condition on the target row: one of its elements satisfies `condition`. */
  containing(condition: SQL): SQL
  /** The primary element's operand, else the first one's (RFC 7644 §3.4.2.3 sorting); NULL without elements. */
  first(sub: AttributeDefinition | undefined): SQL
}

const columnOperand = (value: SQL, definition: AttributeDefinition, indexed = false): Operand => ({
  value,
  present: sql`${value} <> ''`,
  definition,
  indexed,
})

/** Sub-attribute names (lower case) a value filter reads. */
function subAttributesOf(filter: FilterNode): Set<string> {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return new Set([...subAttributesOf(filter.left), ...subAttributesOf(filter.right)])
    case 'not':
      return subAttributesOf(filter.filter)
    default:
      return new Set(filter.path.subAttribute ? [filter.path.subAttribute.name.toLowerCase()] : ['value'])
  }
}

/** `value eq "x"` among the top-level conjuncts of a value filter: every matching element has that value. */
function requiredValue(filter: FilterNode): string | undefined {
  if (filter.kind === 'and') return requiredValue(filter.left) ?? requiredValue(filter.right)
  const isValue = filter.kind === 'compare' && filter.path.subAttribute?.name === 'value'
  return isValue && filter.op === 'eq' && typeof filter.value === 'string' ? filter.value : undefined
}

const unknownSub = (name: string) => ScimError.invalidFilter(`Cannot filter on "${name}" here`)

// The membership and email rows only stand for complex attributes, whose paths always name a sub-attribute.
function named(sub: AttributeDefinition | undefined): AttributeDefinition {
  if (!sub) throw new TypeError('A path into a complex multi-valued attribute must name a sub-attribute')
  return sub
}

/** `emails` rows of `user_emails` (value and type, folded, indexed by value). */
function emailRows(target: FilterTarget): ElementRows {
  const operand = (sub: AttributeDefinition | undefined): Operand => {
    const definition = named(sub)
    if (definition.name !== 'value' && definition.name !== 'type')
      throw new TypeError(`No ${definition.name} column`)
    return columnOperand(sql.raw(`e.${definition.name}_folded`), definition, definition.name === 'value')
  }
  const rows = sql`FROM user_emails e WHERE e.tenant_id = ${target.tenantId}`
  return {
    operand,
    containing: (condition) => sql`${column(target, 'id')} IN (SELECT e.user_id ${rows} AND ${condition})`,
    first: (sub) =>
      sql`(SELECT ${operand(sub).value} ${rows} AND e.user_id = ${column(target, 'id')}
        ORDER BY e."primary" DESC, e.position LIMIT 1)`,
  }
}

/** The elements of a JSON array of the row, through `json_each` (no index: a scan of the tenant's rows). */
function jsonRows(target: FilterTarget, path: AttributePath): ElementRows {
  const list = sql`json_each(${foldedDocument(target)}, ${jsonPath(...jsonKeys(target, path))}) j`
  // A malformed element must not make json_extract fail the whole query.
  const ofObject = (s: SQL) => sql`CASE WHEN j.type = 'object' THEN ${s} END`
  const operand = (sub: AttributeDefinition | undefined): Operand => {
    if (!sub) {
      const definition = path.attribute
      const value = definition.type === 'dateTime' ? instantOf(sql`j.value`) : sql`j.value`
      return {
        value,
        present: sql`CASE j.type WHEN 'text' THEN j.value <> '' WHEN 'null' THEN 0 ELSE 1 END`,
        definition,
      }
    }
    const { value, present, definition } = jsonOperand(sql`j.value`, jsonPath(sub.name), sub)
    return { value: ofObject(value), present: ofObject(present), definition }
  }
  const primary = path.attribute.subAttributes?.some((s) => s.name === 'primary')
    ? sql`coalesce(${ofObject(sql`json_extract(j.value, '$."primary"')`)}, 0) DESC, `
    : sql``
  return {
    operand,
    containing: (condition) => sql`EXISTS (SELECT 1 FROM ${list} WHERE ${condition})`,
    first: (sub) => sql`(SELECT ${operand(sub).value} FROM ${list} ORDER BY ${primary}j.key LIMIT 1)`,
  }
}

/**
 * `members` as the `group_members` rows under `row` (an alias, or the table name in a DELETE), with
 * `display` and `$ref` derived as the renderer derives them. Ids are server-issued lower-case UUIDs,
 * so the case-folded literal of caseExact: false `value` compares with `member_id` as stored.
 */
export function memberRows(row: string, tenantId: string, baseUrl?: string): ElementRows {
  const ref = (name: string) => sql.raw(`${row}.${name}`)
  const display = sql`CASE ${ref('member_type')}
    WHEN 'User' THEN (SELECT coalesce(mu.display_name_folded, mu.user_name_folded) FROM users mu
      WHERE mu.tenant_id = ${tenantId} AND mu.id = ${ref('member_id')})
    ELSE (SELECT mg.display_name_folded FROM groups mg WHERE mg.tenant_id = ${tenantId} AND mg.id = ${ref('member_id')}) END`
  const operand = (sub: AttributeDefinition | undefined): Operand => {
    const definition = named(sub)
    const name = definition.name
    if (name === 'value') return columnOperand(ref('member_id'), definition, true)
    if (name === 'type') return columnOperand(sql`lower(${ref('member_type')})`, definition)
    if (name === 'display') return columnOperand(display, definition)
    if (name === '$ref' && baseUrl !== undefined) {
      const endpoint = sql`CASE ${ref('member_type')} WHEN 'User' THEN '/Users/' ELSE '/Groups/' END`
      return columnOperand(sql`lower(${baseUrl} || ${endpoint} || ${ref('member_id')})`, definition)
    }
    throw unknownSub(`members.${name}`)
  }
  return {
    operand,
    containing: () => {
      throw new TypeError('memberRows(row) is a condition on group_members rows, not on groups')
    },
    first: () => {
      throw ScimError.invalidValue('Cannot sort by members')
    },
  }
}

/** `members` of the target groups: rows of `group_members` found through their index. */
function groupMemberRows(target: FilterTarget): ElementRows {
  const rows = memberRows('gm', target.tenantId, target.baseUrl)
  return {
    ...rows,
    containing: (condition) =>
      sql`${column(target, 'id')} IN (SELECT gm.group_id FROM group_members gm
        WHERE gm.tenant_id = ${target.tenantId} AND ${condition})`,
  }
}

/** The `group_members` rows of `type` inside the groups `groups` (a table or CTE with column `id`) holds. */
const inside = (t: string, groups: SQL, type: 'User' | 'Group') =>
  sql`${groups} CROSS JOIN group_members gm ON gm.tenant_id = ${t} AND gm.group_id = x.id AND gm.member_type = ${type}`

/** `below(id)`: the groups `seed` selects and every group nested in them, each visited once (UNION on the id). */
const walkDown = (t: string, seed: SQL) => sql`below(id) AS (${seed}
  UNION SELECT gm.member_id FROM ${inside(t, sql`below x`, 'Group')})`

/** The two values `type` takes, as rows `et(type)` the condition reads. */
const TYPES = sql`(SELECT 'direct' AS type UNION ALL SELECT 'indirect')`

/**
 * A user's `groups` (RFC 7643 §4.1.2): direct memberships and, through nested groups, indirect ones
 * (`type` "direct" when the user is a member of the group itself). Every walk goes over group ids
 * only, so it visits each group once, whatever the number of paths (issue #12 §1); the condition is
 * evaluated on groups (`eg`) and types (`et`), not on user × group pairs. By what the filter reads:
 * - `value eq "g"` among its conjuncts: g and the groups nested in it, then their users;
 * - no `type`: the matching groups and the groups nested in them, then their users;
 * - `type` only: users with a direct group, or with a group inside a group they are not in directly
 *   (then some ancestor is not direct, and conversely);
 * - `type` and more: per matching group, the groups nested in it (group pairs), then their users who
 *   are not in that group directly.
 */
function userGroupRows(target: FilterTarget, filter: FilterNode): ElementRows {
  const t = target.tenantId
  const pinned = requiredValue(filter)
  const subs = subAttributesOf(filter)
  const operand = (sub: AttributeDefinition | undefined): Operand => {
    const definition = named(sub)
    const name = definition.name
    if (name === 'value') return columnOperand(sql`eg.id`, definition, true)
    if (name === 'display') return columnOperand(sql`eg.display_name_folded`, definition)
    if (name === 'type') return columnOperand(sql`et.type`, definition)
    return columnOperand(sql`lower(${target.baseUrl} || '/Groups/' || eg.id)`, definition)
  }
  const users = (condition: SQL): SQL => {
    if (pinned !== undefined) {
      const g = foldCase(pinned)
      return sql`WITH RECURSIVE ${walkDown(t, sql`SELECT ${g}`)}
        SELECT et.user_id FROM (SELECT gm.member_id AS user_id,
            CASE WHEN max(gm.group_id = ${g}) THEN 'direct' ELSE 'indirect' END AS type
          FROM ${inside(t, sql`below x`, 'User')} GROUP BY gm.member_id) et
        CROSS JOIN groups eg ON eg.tenant_id = ${t} AND eg.id = ${g} WHERE ${condition}`
    }
    const matching = sql`SELECT eg.id FROM groups eg WHERE eg.tenant_id = ${t}`
    if (!subs.has('type')) {
      return sql`WITH RECURSIVE ${walkDown(t, sql`${matching} AND ${condition}`)}
        SELECT gm.member_id FROM ${inside(t, sql`below x`, 'User')}`
    }
    return sql`WITH RECURSIVE matched(id, type) AS (
          SELECT eg.id, et.type FROM groups eg CROSS JOIN ${TYPES} et WHERE eg.tenant_id = ${t} AND ${condition}),
        pairs(top, id) AS (SELECT x.id, gm.member_id
            FROM ${inside(t, sql`(SELECT id FROM matched WHERE type = 'indirect') x`, 'Group')}
          UNION SELECT x.top, gm.member_id FROM ${inside(t, sql`pairs x`, 'Group')})
      SELECT gm.member_id FROM ${inside(t, sql`(SELECT id FROM matched WHERE type = 'direct') x`, 'User')}
      UNION SELECT gm.member_id FROM ${inside(t, sql`pairs x`, 'User')}
        WHERE NOT EXISTS (SELECT 1 FROM group_members d
          WHERE d.tenant_id = ${t} AND d.group_id = x.top AND d.member_id = gm.member_id)`
  }
  const user = column(target, 'id')
  // `type` alone: per user, its memberships through the index, stopping at the first that answers.
  const byType = (condition: SQL) => {
    const ofType = (type: string) =>
      sql`EXISTS (SELECT 1 FROM (SELECT ${type} AS type) et WHERE ${condition})`
    const memberships = sql`SELECT 1 FROM group_members gm WHERE gm.tenant_id = ${t} AND gm.member_id = ${user}`
    return sql`((${ofType('direct')} AND EXISTS (${memberships}))
      OR (${ofType('indirect')} AND EXISTS (${memberships}
        AND EXISTS (SELECT 1 FROM group_members up WHERE up.tenant_id = ${t} AND up.member_id = gm.group_id
          AND NOT EXISTS (SELECT 1 FROM group_members d
            WHERE d.tenant_id = ${t} AND d.group_id = up.group_id AND d.member_id = gm.member_id)))))`
  }
  return {
    operand,
    containing: (condition) =>
      pinned === undefined && subs.size === 1 && subs.has('type')
        ? byType(condition)
        : sql`${user} IN (${users(condition)})`,
    first: () => {
      throw ScimError.invalidValue('Cannot sort by groups')
    },
  }
}

/**
 * The element rows of the multi-valued attribute `path` for `filter`: the membership tables for
 * `members` and `groups`, `user_emails` when the filter reads only `value` and `type` of emails
 * (the indexed shape identity providers send), otherwise the JSON array.
 */
export function elementRows(path: AttributePath, target: FilterTarget, filter: FilterNode): ElementRows {
  if (isCore(target, path, 'members') && !isUserTarget(target)) return groupMemberRows(target)
  if (isCore(target, path, 'groups') && isUserTarget(target)) return userGroupRows(target, filter)
  if (isCore(target, path, 'emails') && isUserTarget(target)) {
    const subs = subAttributesOf(filter)
    if ([...subs].every((s) => s === 'value' || s === 'type')) return emailRows(target)
  }
  return jsonRows(target, path)
}
