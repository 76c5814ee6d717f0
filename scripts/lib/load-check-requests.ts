/** Checks of single answers against what came before them: If-Match and lookups by filter. */
import { type CheckResult, tally } from './load-check-result'
import { type Sighting, sightings } from './load-check-versions'
import {
  acknowledged,
  createdId,
  deletesOf,
  describeOp,
  mayHaveApplied,
  type Op,
  precedes,
} from './load-history'

/** Why an If-Match answer is wrong given the versions seen of its resource, or undefined. */
function preconditionProblem(op: Op, ops: readonly Op[], seen: readonly Sighting[]): string | undefined {
  const tag = op.ifMatch!
  if (acknowledged(op)) {
    const newer = seen.find((s) => precedes(s, op) && s.version > tag)
    if (newer) return `${describeOp(op)} accepted, though ${newer.what} had shown v${newer.version} before`
    if (op.changes && op.version !== tag + 1)
      return `${describeOp(op)}: a change of v${tag} must answer v${tag + 1}`
    return undefined
  }
  // A 412 needs a write that may have moved the version past the tag before the 412 was answered.
  const movers = ops.filter(
    (w) =>
      w !== op &&
      w.id === op.id &&
      (w.method === 'PUT' || w.method === 'PATCH') &&
      mayHaveApplied(w) &&
      w.start < op.end &&
      (w.version === undefined || w.version > tag),
  )
  return movers.length > 0 ? undefined : `${describeOp(op)}, though no write could have moved v${tag}`
}

/** Requests with If-Match: accepted only while the tag was current; 412 only once it was not. */
export function checkPreconditions(ops: readonly Op[]): CheckResult {
  const t = tally(
    'If-Match',
    '2xx only while the ETag was current (and then its successor), 412 only once it was not',
  )
  const seen = sightings(ops)
  for (const op of ops) {
    if (op.ifMatch === undefined || op.id === undefined) continue
    if (acknowledged(op) || op.status === 412) t.judge(preconditionProblem(op, ops, seen.get(op.id) ?? []))
  }
  return t.result
}

/**
 * Why a lookup is wrong, or undefined: it may return only resources created before it was answered
 * and not deleted (204) before it was sent; by a unique name it must return the one whose create was
 * acknowledged before it was sent, unless a DELETE of it was sent first.
 */
function lookupProblem(lookup: Op, creates: readonly Op[], ops: readonly Op[]): string | undefined {
  const found = lookup.found!
  for (const { id } of found) {
    const create = creates.find((c) => c.id === id && c.kind === lookup.kind && c.start < lookup.end)
    if (!create) return `${describeOp(lookup)} returned ${id}, which no create made before`
    const gone = deletesOf(ops, id).find((d) => acknowledged(d) && precedes(d, lookup))
    if (gone) return `${describeOp(lookup)} returned ${id} after ${describeOp(gone)}`
  }
  if (lookup.name === undefined) return undefined
  if (found.length > 1) return `${describeOp(lookup)} returned ${found.length} resources for a unique name`
  const due = creates.find(
    (c) =>
      c.kind === lookup.kind &&
      c.name === lookup.name &&
      precedes(c, lookup) &&
      !deletesOf(ops, c.id!).some((d) => d.start < lookup.end),
  )
  return due && !found.some((f) => f.id === due.id)
    ? `${describeOp(lookup)} missed ${describeOp(due)}`
    : undefined
}

/** Filtered lookups see every acknowledged create of their name and nothing that was not there. */
export function checkLookups(ops: readonly Op[]): CheckResult {
  const t = tally(
    'lookups',
    'filters return what was acknowledged before them, and nothing not yet created or deleted',
  )
  const creates = ops.filter((op) => createdId(op) !== undefined)
  for (const op of ops) {
    if (op.found && acknowledged(op)) t.judge(lookupProblem(op, creates, ops))
  }
  return t.result
}
