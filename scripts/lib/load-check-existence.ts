/** Checks of which resources exist: creates, deletes and 404s against what was acknowledged. */
import { type CheckResult, tally } from './load-check-result'
import type { FinalState } from './load-fields'
import {
  acknowledged,
  createdId,
  deletesOf,
  describeOp,
  indeterminate,
  isCreate,
  type Op,
  precedes,
} from './load-history'

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

/** Why the creates of one name break "exactly one 201, the others 409 uniqueness", or undefined. */
function createsProblem(name: string, creates: Op[]): string | undefined {
  const wins = creates.filter(acknowledged)
  const possible = creates.filter((op) => acknowledged(op) || indeterminate(op))
  // The storm never creates a name again after deleting it, so a second 201 is a duplicate.
  if (wins.length > 1)
    return `${name}: ${wins.length} creates answered 201: ${wins.map(describeOp).join('; ')}`
  if (possible.length === 0) return `${name}: never created: ${creates.map(describeOp).join('; ')}`
  const refused = creates.filter((op) => !possible.includes(op))
  const wrong = refused.find(
    (op) => op.status !== 409 || op.scimType !== 'uniqueness' || !possible.some((w) => w.start < op.end),
  )
  return wrong && `${name}: ${describeOp(wrong)} though no create of it came first`
}

/** Per userName and group displayName: exactly one create answered 201, the others 409 uniqueness. */
export function checkCreates(ops: readonly Op[]): CheckResult {
  const t = tally('creates', 'each name created once (201); every other create of it 409 uniqueness')
  const byName = groupBy(ops.filter(isCreate), (op) => `${op.kind} ${op.name}`)
  for (const [name, creates] of byName) t.judge(createsProblem(name, creates))
  return t.result
}

/** Every acknowledged create is still there, unless an acknowledged DELETE removed it. */
export function checkAcknowledgedPresent(ops: readonly Op[], final: FinalState): CheckResult {
  const t = tally(
    'acknowledged present',
    'every 201 is in the final state unless a DELETE of it answered 204',
  )
  const present = new Set([...final.users, ...final.groups].map((r) => r.id))
  for (const op of ops) {
    const id = createdId(op)
    if (id === undefined) continue
    const deletes = deletesOf(ops, id)
    if (deletes.some(acknowledged)) {
      t.judge(
        present.has(id) ? `${describeOp(op)}: still present after ${describeOp(deletes[0]!)}` : undefined,
      )
    } else if (deletes.length > 0) t.ambiguous()
    else t.judge(present.has(id) ? undefined : `${describeOp(op)}: missing from the final state`)
  }
  return t.result
}

/** Nothing exists that was not acknowledged: every final resource was created by a 201 of its name. */
export function checkNothingUnacknowledged(ops: readonly Op[], final: FinalState): CheckResult {
  const t = tally('nothing unacknowledged', 'every final user and group was made by a create answered 201')
  const creates = new Map(ops.filter((op) => createdId(op) !== undefined).map((op) => [op.id, op]))
  const unanswered = new Set(ops.filter((op) => isCreate(op) && indeterminate(op)).map((op) => op.name))
  const resources = [
    ...final.users.map((u) => ({ id: u.id, kind: 'User', name: String(u.fields.userName).toLowerCase() })),
    ...final.groups.map((g) => ({ id: g.id, kind: 'Group', name: g.displayName.toLowerCase() })),
  ]
  for (const resource of resources) {
    const create = creates.get(resource.id)
    if (create?.kind === resource.kind)
      t.judge(
        create.name === resource.name
          ? undefined
          : `${resource.id} is named ${resource.name}, created as ${create.name}`,
      )
    else if (unanswered.has(resource.name)) t.ambiguous()
    else
      t.fail(`${resource.kind} ${resource.id} (${resource.name}) exists but no create of it was acknowledged`)
  }
  return t.result
}

/** No two users share a userName, nor two groups a displayName (both compared case-insensitively). */
export function checkNoDuplicates(final: FinalState): CheckResult {
  const t = tally('no duplicates', 'userNames and group displayNames unique, case-insensitively')
  const names = [
    ...final.users.map((u) => ({ id: u.id, name: `User ${String(u.fields.userName).toLowerCase()}` })),
    ...final.groups.map((g) => ({ id: g.id, name: `Group ${g.displayName.toLowerCase()}` })),
  ]
  for (const [name, holders] of groupBy(names, (n) => n.name)) {
    t.judge(holders.length > 1 ? `${name} is held by ${holders.map((h) => h.id).join(', ')}` : undefined)
  }
  return t.result
}

/**
 * A 404 on a resource that was created is acceptable only once a DELETE of it had been sent; and
 * after a DELETE answered 204, no request sent later may succeed on it.
 */
export function checkNotFound(ops: readonly Op[]): CheckResult {
  const t = tally(
    'deletes',
    'a 404 only after a DELETE was sent; nothing succeeds after a DELETE answered 204',
  )
  for (const op of ops) {
    if (op.id === undefined || isCreate(op)) continue
    const deletes = deletesOf(ops, op.id).filter((d) => d !== op)
    if (op.status === 404) {
      t.judge(
        deletes.some((d) => d.start < op.end)
          ? undefined
          : `${describeOp(op)} but no DELETE of it came first`,
      )
      continue
    }
    const deleted = deletes.find((d) => acknowledged(d) && precedes(d, op))
    if (deleted) t.judge(acknowledged(op) ? `${describeOp(op)} after ${describeOp(deleted)}` : undefined)
  }
  return t.result
}
