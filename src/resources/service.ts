/** The resource operations of RFC 7644 §3.3–3.6: reads, and plans run with conflict retries. */
import { runBatch, type Statement } from '../db/batch'
import { eventRowsOf } from '../db/events'
import { selectResource, toStored } from '../db/resource-store'
import { type StoredResource, tableOf } from '../db/resource-tables'
import { isWriteConflict, nestingLimitError, storageLimitError, uniquenessError } from '../db/write-errors'
import type { Tenant, TenantReader } from '../env'
import type { AcceptedVersions } from '../http/etag'
import { ScimError } from '../http/scim-error'
import type { ProjectionRequest } from '../projection/project'
import { answerOf, computedOf, computedReads, type Json, type ResourceKind } from './answer'
import { forgetUser, recalledUser, rememberUser } from './recent-users'
import {
  currentOf,
  incoming,
  planCreate,
  planPatch,
  planRemove,
  planReplace,
  selectCurrent,
  type WritePlan,
} from './write-plans'
import { retryOnConflict } from './write-retry'

/**
 * Runs a write's batch and keeps the change events it committed for the delivery after the answer.
 * Every write of a resource goes through here.
 */
async function runWrite(tenant: Pick<Tenant, 'd1' | 'writtenEvents'>, statements: readonly Statement[]) {
  const results = await runBatch(tenant.d1, statements)
  tenant.writtenEvents.push(...eventRowsOf(statements, results))
  return results
}

/**
 * Runs a batch, turning a unique-index violation into 409 `uniqueness`, an oversized row into 413
 * and a nesting bound exceeded into 400 `invalidValue`.
 */
export async function commit(
  tenant: Pick<Tenant, 'd1' | 'limits' | 'writtenEvents'>,
  statements: readonly Statement[],
) {
  try {
    return await runWrite(tenant, statements)
  } catch (error) {
    throw nestingLimitError(storageLimitError(uniquenessError(error, statements)), tenant.limits)
  }
}

/** Runs one plan as its own batch and answers from its rows; a user it wrote is remembered. */
async function runPlan(tenant: Tenant, kind: ResourceKind, plan: WritePlan) {
  const answer = plan.answer(await commit(tenant, plan.statements))
  if (kind === 'User' && plan.written) rememberUser(tenant, plan.written)
  return answer
}

/** RFC 7644 §3.4.1 — one resource with its computed attributes, in one round trip. */
export async function getResource(
  tenant: TenantReader & Partial<Pick<Tenant, 'record'>>,
  kind: ResourceKind,
  id: string,
  projection: ProjectionRequest,
) {
  const scope = { tenantId: tenant.name, db: tenant.db, registry: tenant.registry }
  const [rows = [], ...computed] = await runBatch(tenant.d1, [
    selectResource(scope, tableOf(kind), id),
    ...computedReads(tenant, kind, id, projection),
  ])
  const [row] = rows
  if (!row) throw ScimError.notFound(`${kind} ${id} not found`)
  const stored = toStored(row)
  // An identity provider often reads a user, then writes it (recent-users.ts).
  if (kind === 'User' && tenant.record)
    rememberUser({ record: tenant.record }, stored, String(row.resource).length)
  return answerOf(tenant, kind, stored, computedOf(kind, id, computed), projection)
}

/** RFC 7644 §3.3 — creates a resource in one batch. */
export const createResource = (
  tenant: Tenant,
  kind: ResourceKind,
  body: Json,
  projection: ProjectionRequest,
) => runPlan(tenant, kind, planCreate(tenant, kind, body, projection))

/** Reads the current stored resource for a read-modify-write, checking `If-Match`. */
async function readForWrite(tenant: Tenant, kind: ResourceKind, id: string, ifMatch: AcceptedVersions) {
  const [rows = []] = await runBatch(tenant.d1, [selectCurrent(tenant, kind, id)])
  return currentOf(rows, kind, id, ifMatch)
}

/**
 * A read-modify-write: `plan` computes the write from the current resource. Without `If-Match`, a
 * user this isolate saw within the minute is the first guess, which saves the read; the guess
 * stands only when its write commits (the write is guarded by its version), and anything else it
 * leads to (a lost race, an error, nothing to change) is decided again from a fresh read.
 */
async function readModifyWrite(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  ifMatch: AcceptedVersions,
  plan: (current: StoredResource) => WritePlan | undefined,
  projection: ProjectionRequest,
) {
  const guess = kind === 'User' && ifMatch === undefined ? recalledUser(tenant, id) : undefined
  const planned = guess && planOrNothing(() => plan(guess))
  if (planned) {
    try {
      return await runPlan(tenant, kind, planned)
    } catch (error) {
      if (!isWriteConflict(error)) throw error
    }
  }
  if (guess) forgetUser(tenant, id)
  return retryOnConflict(async () => {
    const current = await readForWrite(tenant, kind, id, ifMatch)
    const fresh = plan(current)
    return fresh ? runPlan(tenant, kind, fresh) : unchanged(tenant, kind, id, projection)
  }, ifMatch)
}

/** The plan, or `undefined` when planning threw: a guess's error is left for the fresh read to decide. */
function planOrNothing(plan: () => WritePlan | undefined): WritePlan | undefined {
  try {
    return plan()
  } catch {
    return undefined
  }
}

/** Answers an unchanged resource (a PUT or PATCH that changed nothing writes nothing). */
async function unchanged(tenant: Tenant, kind: ResourceKind, id: string, projection: ProjectionRequest) {
  return getResource(tenant, kind, id, projection)
}

/** RFC 7644 §3.5.1 — replaces all writable attributes; omitted ones are cleared. */
export async function replaceResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: AcceptedVersions,
) {
  // Malformed bodies fail before any read.
  incoming(tenant, kind, body, 'replace')
  const plan = (current: StoredResource) => planReplace(tenant, kind, current, body, projection, ifMatch)
  return readModifyWrite(tenant, kind, id, ifMatch, plan, projection)
}

/** RFC 7644 §3.5.2 — applies a PatchOp atomically; concurrent patches are retried, never lost. */
export async function patchResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: AcceptedVersions,
) {
  const plan = (current: StoredResource) => planPatch(tenant, kind, current, body, projection, ifMatch)
  return readModifyWrite(tenant, kind, id, ifMatch, plan, projection)
}

/** RFC 7644 §3.6 — deletes a resource and its memberships in one batch. */
export async function removeResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  ifMatch: AcceptedVersions,
) {
  if (kind === 'User') forgetUser(tenant, id)
  try {
    await runWrite(tenant, planRemove(tenant, kind, id, ifMatch))
  } catch (error) {
    if (!isWriteConflict(error)) throw error
    // The guard fired: the resource is gone, or (with If-Match) its version moved.
    if (ifMatch !== undefined) await readForWrite(tenant, kind, id, ifMatch)
    throw ScimError.notFound(`${kind} ${id} not found`)
  }
}
