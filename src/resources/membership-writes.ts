import { sql } from 'drizzle-orm'
import type { Statement } from '../db/batch'
import {
  addMembers,
  type MembershipWriteContext,
  removeAllMembers,
  removeMembers,
  removeMembersWhere,
} from '../db/memberships'
import { nestingGuard } from '../db/nesting-guard'
import type { Limits } from '../limits'
import type { MembershipChange } from '../patch/membership'
import { compileMemberFilter } from '../query/compile-filter'

/** Member ids per statement: keeps each bound JSON array and its event row small. */
const IDS_PER_STATEMENT = 1000

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += IDS_PER_STATEMENT) out.push(items.slice(i, i + IDS_PER_STATEMENT))
  return out
}

const idsIn = (ids: readonly string[]) =>
  sql`member_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`

/** Keeps only the members listed in `ids` (a `replace` of `members`): removes the others. */
const removeAllExcept = (ctx: MembershipWriteContext, ids: readonly string[], readded: readonly string[]) =>
  removeMembersWhere(ctx, sql`NOT (${idsIn(ids)})`, readded)

/**
 * The statements for a sequence of membership changes, each touching only the members it names,
 * so the cost follows the change, not the group. A `replace` (remove-all then add) becomes
 * "remove those not listed, add those missing", so unchanged members produce no events. Adds end
 * with the nesting guard, which rolls the batch back when a nesting bound would be exceeded.
 */
export function membershipStatements(
  ctx: MembershipWriteContext,
  changes: readonly MembershipChange[],
  limits: Limits,
): Statement[] {
  const statements = changes.flatMap((change, i) =>
    statementsFor(ctx, change, changes[i + 1], addedIds(changes.slice(i + 1))),
  )
  const adds = changes.some((change) => change.kind === 'add' && change.members.length > 0)
  return adds ? [...statements, nestingGuard(ctx, ctx.groupId, limits)] : statements
}

/** The ids that `changes` add: a user removed before them is not left in no group. */
const addedIds = (changes: readonly MembershipChange[]) =>
  changes.flatMap((change) => (change.kind === 'add' ? change.members.map((m) => m.value) : []))

function statementsFor(
  ctx: MembershipWriteContext,
  change: MembershipChange,
  next: MembershipChange | undefined,
  readded: readonly string[],
): Statement[] {
  switch (change.kind) {
    case 'add':
      return chunks(change.members.map((m) => m.value)).flatMap((ids) => addMembers(ctx, ids))
    case 'remove':
      return chunks(change.values).flatMap((ids) => removeMembers(ctx, ids, readded))
    case 'removeWhere':
      return removeMembersWhere(ctx, compileMemberFilter(change.filter, ctx.tenantId), readded)
    case 'removeAll':
      return next?.kind === 'add'
        ? removeAllExcept(
            ctx,
            next.members.map((m) => m.value),
            readded,
          )
        : removeAllMembers(ctx, readded)
  }
}
