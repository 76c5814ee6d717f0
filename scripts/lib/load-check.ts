/** Every check of a storm's history against the final state, in the order they are reported. */
import {
  checkAcknowledgedPresent,
  checkCreates,
  checkNoDuplicates,
  checkNotFound,
  checkNothingUnacknowledged,
} from './load-check-existence'
import { checkFields, checkMembers } from './load-check-fields'
import { checkLookups, checkPreconditions } from './load-check-requests'
import { type CheckResult, tally } from './load-check-result'
import { checkVersions } from './load-check-versions'
import type { FinalState } from './load-fields'
import { acknowledged, describeOp, isCreate, isDrop, type Op } from './load-history'

/**
 * Why an answer's status is not one the storm can legitimately get, or undefined: 2xx; 409
 * uniqueness to a create; 412 to If-Match; 404 to a request on an existing id (the deletes check
 * judges when). Anything else — a 5xx, no answer, a 400 to a request the identity providers send —
 * is a failure.
 */
function statusProblem(op: Op): string | undefined {
  if (acknowledged(op)) return undefined
  if (op.status === 409 && isCreate(op) && op.scimType === 'uniqueness') return undefined
  if (op.status === 412 && op.ifMatch !== undefined) return undefined
  if (op.status === 404 && op.id !== undefined && !isCreate(op)) return undefined
  return describeOp(op)
}

export function checkStatuses(ops: readonly Op[]): CheckResult {
  const t = tally(
    'statuses',
    'only 2xx, 409 uniqueness on create, 412 on If-Match, 404 on a deleted id (and requests wrangler dev dropped)',
  )
  for (const op of ops) {
    if (isDrop(op)) t.ambiguous()
    else t.judge(statusProblem(op))
  }
  return t.result
}

export function runChecks(ops: readonly Op[], final: FinalState): CheckResult[] {
  return [
    checkStatuses(ops),
    checkCreates(ops),
    checkAcknowledgedPresent(ops, final),
    checkNothingUnacknowledged(ops, final),
    checkNoDuplicates(final),
    checkNotFound(ops),
    checkVersions(ops, final),
    checkPreconditions(ops),
    checkLookups(ops),
    checkFields(ops, final),
    checkMembers(ops, final),
  ]
}
