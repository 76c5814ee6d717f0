import { type SQL, sql } from 'drizzle-orm'
import { runBatch } from '../db/batch'
import { type GroupOfUser, groupsOfUsers, selectGroupGraph, usersReadWhole } from '../db/group-graph'
import type { Scope } from '../db/resource-tables'

/**
 * The first read of the groups of the users of `idsPage` (a list page's rows), for the page's batch:
 * memberships past the first user up to what the first user's groups say fits the budget, unless
 * the page holds one user or a handful (`few`: an indexed lookup), whose memberships are read whole.
 */
export const selectGroupsOfPage = (scope: Scope, idsPage: SQL, budget: number, few: boolean) =>
  selectGroupGraph(scope, idsPage, { budget, estimate: !few })

const usersOf = (ids: readonly string[]) =>
  sql`SELECT 'User' AS type, value AS id FROM json_each(${JSON.stringify(ids)})`

/**
 * The groups of the page's `userIds` that fit in `budget` elements, from `rows` of
 * `selectGroupsOfPage`. When that read stopped before the users it held whole spent the budget (the
 * first user's groups overstated the others'), a second round trip reads the rest of the page's
 * memberships up to what is left, walking up only from groups not reached yet (the groups of the
 * users that fit are sent: at most `budget`).
 */
export async function groupsOfPage(
  d1: D1Database,
  scope: Scope,
  rows: readonly Record<string, unknown>[],
  userIds: readonly string[],
  budget: number,
): Promise<ReadonlyMap<string, readonly GroupOfUser[]>> {
  const whole = usersReadWhole(rows, userIds)
  if (whole === userIds.length) return groupsOfUsers(rows, userIds, budget).groups
  const first = groupsOfUsers(rows, userIds.slice(0, whole), budget)
  // The budget is spent (or the first user alone exceeds it, and is answered whole all the same).
  if (first.fitting < whole || first.elements > budget) return first.groups
  const rest = userIds.slice(whole)
  const known = new Set([...first.groups.values()].flatMap((groups) => groups.map((g) => g.groupId)))
  const remaining = budget - first.elements
  const [more = []] = await runBatch(d1, [
    selectGroupGraph(scope, usersOf(rest), { budget: remaining, known: [...known] }),
  ])
  // Later rows win: the user the first read may have cut short comes whole in `more`.
  return groupsOfUsers([...rows, ...more], userIds, budget).groups
}
