import { type SQL, sql } from 'drizzle-orm'
import type { Scope } from './resource-tables'

export interface GroupOfUser {
  groupId: string
  display: string
  /** 1 for a direct membership, else the fewest nestings between the user and the group. */
  depth: number
}

/**
 * The rows whose computed attributes a read wants: `rows` selects `type` and `id` (a page of a list,
 * or one resource), materialized whole, since SQLite, reading only its ids, would scan the tenant's
 * (created, id) index instead of using the filter's own (test/integration/query-plans.test.ts).
 */
export const rowsOfKind = (rows: SQL, kind: 'User' | 'Group') =>
  sql`page AS MATERIALIZED (${rows}), ids AS MATERIALIZED (SELECT id FROM page WHERE type = ${sql.raw(`'${kind}'`)})`

/**
 * The membership rows `columns` of the ids (`i.id`) in page order, through `join` (group_members
 * `gm` on `i.id`), stopping one row past `budget`: a page stops before its computed elements exceed
 * the budget, each membership row is at least one element, so the rows past it belong to resources
 * the page will not answer (README "Limits"). The first id's rows are read whole, as one resource is
 * always answered whole. `CROSS JOIN` keeps the ids as the outer loop, in page order, so the LIMIT
 * ends the reads there (test/integration/query-plans.test.ts).
 */
export function membershipsInPageOrder(columns: SQL, join: SQL, budget: number): SQL {
  const from = (ids: SQL) => sql`SELECT ${columns} FROM (${ids}) i CROSS JOIN ${join}`
  if (!Number.isFinite(budget)) return from(sql`SELECT id FROM ids`)
  const rest = sql.raw(String(Math.max(0, Math.floor(budget)) + 1))
  return sql`SELECT * FROM (${from(sql`SELECT id FROM ids LIMIT 1`)})
    UNION ALL SELECT * FROM (${from(sql`SELECT id FROM ids LIMIT -1 OFFSET 1`)} LIMIT ${rest})`
}

/**
 * The part of the group graph above the users that `rows` selects, RFC 7643 §4.1.2 `groups`: each
 * user's direct groups (`member`), each reached group's parents (`edge`), both as JSON arrays (one
 * row per user or group: rows cost more to ship than to read), and every group reached (`group`,
 * with its name). The walk goes over group ids only
 * (UNION), so it reads each reached group and nesting once, however many paths lead there (issue
 * #12 §1); `groupsOfUsers` then computes each user's groups in the Worker. `CROSS JOIN` fixes
 * SQLite's join order: from the rows reached, through the membership index; otherwise it may read
 * every membership of the tenant at each step (test/integration/query-plans.test.ts). With a
 * `budget` (a list page), memberships are read in page order up to it (`membershipsInPageOrder`).
 */
export function selectGroupGraph(scope: Scope, rows: SQL, budget = Number.POSITIVE_INFINITY) {
  const t = scope.tenantId
  const direct = membershipsInPageOrder(
    sql`gm.member_id AS user_id, gm.group_id`,
    sql`group_members gm ON gm.tenant_id = ${t} AND gm.member_id = i.id`,
    budget,
  )
  return sql`WITH RECURSIVE ${rowsOfKind(rows, 'User')},
    direct AS MATERIALIZED (${direct}),
    reached(id) AS (SELECT group_id FROM direct
      UNION SELECT gm.group_id FROM reached r CROSS JOIN group_members gm ON gm.tenant_id = ${t} AND gm.member_id = r.id)
    SELECT 'member' AS kind, user_id AS a, json_group_array(group_id) AS b, NULL AS folded FROM direct GROUP BY user_id
    UNION ALL SELECT 'edge', r.id, (SELECT json_group_array(gm.group_id) FROM group_members gm
        WHERE gm.tenant_id = ${t} AND gm.member_id = r.id), NULL
      FROM reached r
    UNION ALL SELECT 'group', g.id, g.display_name, g.display_name_folded
      FROM reached r CROSS JOIN groups g ON g.tenant_id = ${t} AND g.id = r.id`
}

interface Graph {
  readonly direct: Map<string, string[]>
  readonly parents: Map<string, string[]>
  readonly names: Map<string, { display: string; folded: string }>
}

function graphOf(rows: readonly Record<string, unknown>[]): Graph {
  const graph: Graph = { direct: new Map(), parents: new Map(), names: new Map() }
  for (const { kind, a, b, folded } of rows) {
    if (kind === 'member') graph.direct.set(String(a), JSON.parse(String(b)))
    else if (kind === 'edge') graph.parents.set(String(a), JSON.parse(String(b)))
    else graph.names.set(String(a), { display: String(b ?? ''), folded: String(folded ?? '') })
  }
  return graph
}

/** Breadth-first from the direct groups: each group once, at its fewest nestings. */
function walkUp(graph: Graph, direct: readonly string[]): Map<string, number> {
  const depth = new Map(direct.map((id) => [id, 1]))
  const queue = [...depth.keys()]
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string
    for (const parent of graph.parents.get(id) ?? []) {
      if (depth.has(parent)) continue
      depth.set(parent, (depth.get(id) as number) + 1)
      queue.push(parent)
    }
  }
  return depth
}

export interface GroupsOfUsers {
  /** Each user's groups, ordered by display name then id (users with the same direct groups share one list). */
  readonly groups: Map<string, readonly GroupOfUser[]>
  /** How many of `userIds`, from the first, fit within the budget (at least one). */
  readonly fitting: number
}

/** The groups a walk reached, ordered by display name then id; a group deleted since the membership was read has no name row: it is gone. */
function orderedGroups(graph: Graph, depths: Map<string, number>): GroupOfUser[] {
  const named = [...depths].flatMap(([groupId, depth]) => {
    const name = graph.names.get(groupId)
    return name ? [{ groupId, depth, ...name }] : []
  })
  named.sort((x, y) => (x.folded < y.folded ? -1 : x.folded > y.folded ? 1 : x.groupId < y.groupId ? -1 : 1))
  return named.map(({ groupId, display, depth }) => ({ groupId, display, depth }))
}

/**
 * Each user's groups from the rows of `selectGroupGraph`, for `userIds` in page order, stopping
 * before the user whose groups would take the page past `budget` elements (the first user always
 * fits: one resource is always answered whole). A user's elements are counted as the groups its walk
 * reaches, at least its direct memberships: what `membershipsInPageOrder` relies on. Users with the
 * same direct groups share one walk and one ordered list.
 */
export function groupsOfUsers(
  rows: readonly Record<string, unknown>[],
  userIds: readonly string[],
  budget = Number.POSITIVE_INFINITY,
): GroupsOfUsers {
  const graph = graphOf(rows)
  const walks = new Map<string, { reached: number; list: readonly GroupOfUser[] }>()
  const groups = new Map<string, readonly GroupOfUser[]>()
  let total = 0
  for (const userId of userIds) {
    const direct = [...new Set(graph.direct.get(userId) ?? [])].sort()
    const key = direct.join(',')
    let walk = walks.get(key)
    if (!walk) {
      const depths = walkUp(graph, direct)
      walk = { reached: depths.size, list: orderedGroups(graph, depths) }
      walks.set(key, walk)
    }
    total += walk.reached
    if (total > budget && groups.size > 0) break
    groups.set(userId, walk.list)
  }
  return { groups, fitting: groups.size }
}
