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
 * `pageIdsQuery`, or one resource), materialized once, so that the walks read the page's ids in
 * page order without running its query again.
 */
export const rowsOfKind = (rows: SQL, kind: 'User' | 'Group') =>
  sql`page AS MATERIALIZED (${rows}), ids AS MATERIALIZED (SELECT id FROM page WHERE type = ${sql.raw(`'${kind}'`)})`

/** `budget` as a row count for SQL: a whole number, at least 0. */
const rowLimit = (budget: number) => Math.max(0, Math.floor(budget))

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
  const rest = sql.raw(String(rowLimit(budget) + 1))
  return sql`SELECT * FROM (${from(sql`SELECT id FROM ids LIMIT 1`)})
    UNION ALL SELECT * FROM (${from(sql`SELECT id FROM ids LIMIT -1 OFFSET 1`)} LIMIT ${rest})`
}

export interface GraphReads {
  /** Elements a list page may hold: memberships past the first user are read up to it (README "Limits"). */
  readonly budget?: number
  /**
   * Read past the first user only the memberships that the first user's ratio of groups reached to
   * direct groups lets fit in the budget (nested groups can make each membership worth many
   * elements): the first user's walk comes first, and the others' stops at the groups it reached.
   * The caller reads on when the others prove cheaper (`usersReadWhole`).
   */
  readonly estimate?: boolean
  /** Groups whose parents and names the caller holds (an earlier read's walk, closed upwards): not walked again. */
  readonly known?: readonly string[]
}

/**
 * The part of the group graph above the users that `rows` selects, RFC 7643 §4.1.2 `groups`: each
 * user's direct groups (`member`), each reached group's parents (`edge`), both as JSON arrays (one
 * row per user or group: rows cost more to ship than to read), every group reached (`group`, with
 * its name), and with a budget the memberships allowed past the first user (`limit`). The walks go
 * over group ids only (UNION), so they read each reached group and nesting once, however many paths
 * lead there (issue #12 §1); `groupsOfUsers` then computes each user's groups in the Worker.
 * `CROSS JOIN` fixes SQLite's join order: from the rows reached, through the membership index;
 * otherwise it may read every membership of the tenant at each step, and keeps the page's ids the
 * outer loop, in page order, so that the limit ends the reads (test/integration/query-plans.test.ts).
 */
export function selectGroupGraph(scope: Scope, rows: SQL, reads: GraphReads = {}) {
  const t = scope.tenantId
  const { budget = Number.POSITIVE_INFINITY, estimate = false, known = [] } = reads
  const finite = Number.isFinite(budget)
  const parts = walkParts(t, known)
  const walks = finite && estimate ? estimatedWalks(parts, budget) : wholeWalk(parts, budget)
  return sql`WITH RECURSIVE ${rowsOfKind(rows, 'User')}, ${parts.knownRows} ${walks}
    SELECT 'member' AS kind, user_id AS a, json_group_array(group_id) AS b, NULL AS folded FROM direct GROUP BY user_id
    UNION ALL SELECT 'edge', r.id, (SELECT json_group_array(gm.group_id) FROM group_members gm
        WHERE gm.tenant_id = ${t} AND gm.member_id = r.id), NULL
      FROM reached r
    UNION ALL SELECT 'group', g.id, g.display_name, g.display_name_folded
      FROM reached r CROSS JOIN groups g ON g.tenant_id = ${t} AND g.id = r.id
    ${finite ? sql`UNION ALL SELECT 'limit', NULL, n, NULL FROM read_limit` : sql``}`
}

type WalkParts = ReturnType<typeof walkParts>

function walkParts(t: string, known: readonly string[]) {
  const where = (conditions: SQL[]) =>
    conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`
  return {
    columns: sql`gm.member_id AS user_id, gm.group_id`,
    join: sql`group_members gm ON gm.tenant_id = ${t} AND gm.member_id = i.id`,
    knownRows:
      known.length === 0
        ? sql``
        : sql`known AS MATERIALIZED (SELECT value AS id FROM json_each(${JSON.stringify(known)})),`,
    notKnown: (column: string) =>
      known.length === 0 ? [] : [sql`${sql.raw(column)} NOT IN (SELECT id FROM known)`],
    where,
    /** One step up the graph from the groups `walk` reached. */
    step: (walk: string, conditions: SQL[]) =>
      sql`SELECT gm.group_id FROM ${sql.raw(walk)} r CROSS JOIN group_members gm
        ON gm.tenant_id = ${t} AND gm.member_id = r.id ${where(conditions)}`,
  }
}

/** Every user's memberships (past the first user up to `budget` + 1 rows), and one walk up from them. */
function wholeWalk(parts: WalkParts, budget: number): SQL {
  const { columns, join, notKnown, where, step } = parts
  const direct = membershipsInPageOrder(columns, join, budget)
  const limit = Number.isFinite(budget)
    ? sql`read_limit(n) AS (SELECT ${sql.raw(String(rowLimit(budget)))}),`
    : sql``
  return sql`${limit} direct AS MATERIALIZED (${direct}),
    reached(id) AS (SELECT group_id FROM direct ${where(notKnown('group_id'))}
      UNION ${step('reached', notKnown('gm.group_id'))})`
}

/**
 * The first user's memberships and walk, then the others' memberships up to what its ratio says
 * fits `budget` (one row past it), and their walk, stopping at the groups the first reached.
 */
function estimatedWalks(parts: WalkParts, budget: number): SQL {
  const { columns, join, notKnown, where, step } = parts
  const whole = sql.raw(String(rowLimit(budget)))
  const notFirst = (column: string) => [sql`${sql.raw(column)} NOT IN (SELECT id FROM first_reached)`]
  return sql`first AS MATERIALIZED (SELECT ${columns} FROM (SELECT id FROM ids LIMIT 1) i CROSS JOIN ${join}),
    first_reached(id) AS (SELECT group_id FROM first ${where(notKnown('group_id'))}
      UNION ${step('first_reached', notKnown('gm.group_id'))}),
    read_limit(n) AS MATERIALIZED (SELECT CASE WHEN r = 0 THEN ${whole} ELSE (${whole} * d) / r END
      FROM (SELECT (SELECT count(*) FROM first) AS d, (SELECT count(*) FROM first_reached) AS r)),
    rest AS MATERIALIZED (SELECT ${columns} FROM (SELECT id FROM ids LIMIT -1 OFFSET 1) i CROSS JOIN ${join}
      LIMIT (SELECT n + 1 FROM read_limit)),
    rest_reached(id) AS (SELECT group_id FROM rest ${where([...notFirst('group_id'), ...notKnown('group_id')])}
      UNION ${step('rest_reached', [...notFirst('gm.group_id'), ...notKnown('gm.group_id')])}),
    direct AS (SELECT * FROM first UNION ALL SELECT * FROM rest),
    reached AS (SELECT id FROM first_reached UNION ALL SELECT id FROM rest_reached)`
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
    else if (kind === 'group')
      graph.names.set(String(a), { display: String(b ?? ''), folded: String(folded ?? '') })
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
  /** The elements the fitting users' groups take. */
  readonly elements: number
}

/**
 * How many of `userIds`, from the first, the rows of `selectGroupGraph` hold whole: all of them
 * unless its read past the first user reached its `limit`; then those before the last user it
 * reached, which may have more memberships unread.
 */
export function usersReadWhole(rows: readonly Record<string, unknown>[], userIds: readonly string[]): number {
  const limit = rows.find((row) => row.kind === 'limit')?.b
  if (limit === undefined) return userIds.length
  const direct = graphOf(rows.filter((row) => row.kind === 'member')).direct
  const pastFirst = userIds.slice(1).reduce((sum, id) => sum + (direct.get(id)?.length ?? 0), 0)
  if (pastFirst <= Number(limit)) return userIds.length
  return userIds.findLastIndex((id) => direct.has(id))
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
    if (total + walk.reached > budget && groups.size > 0) break
    total += walk.reached
    groups.set(userId, walk.list)
  }
  return { groups, fitting: groups.size, elements: total }
}
