/** The resource operations of RFC 7644 §3.3–3.6: reads, and plans run with conflict retries. */
import { runBatch, type Statement } from '../db/batch'
import { eventRowsOf } from '../db/events'
import { selectResource, toStored } from '../db/resource-store'
import { tableOf } from '../db/resource-tables'
import { isWriteConflict, nestingLimitError, storageLimitError, uniquenessError } from '../db/write-errors'
import type { Tenant, TenantReader } from '../env'
import type { AcceptedVersions } from '../http/etag'
import { ScimError } from '../http/scim-error'
import type { ProjectionRequest } from '../projection/project'
import { answerOf, computedOf, computedReads, type Json, type ResourceKind } from './answer'
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

/** Runs one plan as its own batch and answers from its rows. */
const runPlan = async (tenant: Tenant, plan: WritePlan) => plan.answer(await commit(tenant, plan.statements))

/** RFC 7644 §3.4.1 — one resource with its computed attributes, in one round trip. */
export async function getResource(
  tenant: TenantReader,
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
  return answerOf(tenant, kind, toStored(row), computedOf(kind, id, computed), projection)
}

/** RFC 7644 §3.3 — creates a resource in one batch. */
export const createResource = (
  tenant: Tenant,
  kind: ResourceKind,
  body: Json,
  projection: ProjectionRequest,
) => runPlan(tenant, planCreate(tenant, kind, body, projection))

/** Reads the current stored resource for a read-modify-write, checking `If-Match`. */
async function readForWrite(tenant: Tenant, kind: ResourceKind, id: string, ifMatch: AcceptedVersions) {
  const [rows = []] = await runBatch(tenant.d1, [selectCurrent(tenant, kind, id)])
  return currentOf(rows, kind, id, ifMatch)
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
  return retryOnConflict(async () => {
    const current = await readForWrite(tenant, kind, id, ifMatch)
    const plan = planReplace(tenant, kind, current, body, projection, ifMatch)
    return plan ? runPlan(tenant, plan) : unchanged(tenant, kind, id, projection)
  }, ifMatch)
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
  return retryOnConflict(async () => {
    const current = await readForWrite(tenant, kind, id, ifMatch)
    const plan = planPatch(tenant, kind, current, body, projection, ifMatch)
    return plan ? runPlan(tenant, plan) : unchanged(tenant, kind, id, projection)
  }, ifMatch)
}

/** RFC 7644 §3.6 — deletes a resource and its memberships in one batch. */
export async function removeResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  ifMatch: AcceptedVersions,
) {
  try {
    await runWrite(tenant, planRemove(tenant, kind, id, ifMatch))
  } catch (error) {
    if (!isWriteConflict(error)) throw error
    // The guard fired: the resource is gone, or (with If-Match) its version moved.
    if (ifMatch !== undefined) await readForWrite(tenant, kind, id, ifMatch)
    throw ScimError.notFound(`${kind} ${id} not found`)
  }
}
