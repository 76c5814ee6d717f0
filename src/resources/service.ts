import { sql } from 'drizzle-orm'
import { runBatch, type Statement } from '../db/batch'
import type { ChangeEvent, EventOperation } from '../db/events'
import {
  deleteResource,
  guard,
  insertResource,
  selectGroupsOfUsers,
  selectMembersOfGroups,
  selectResource,
  toStored,
  updateResource,
  type WriteScope,
} from '../db/resource-store'
import { type StoredResource, tableOf } from '../db/resource-tables'
import { isWriteConflict, storageLimitError, uniquenessError } from '../db/write-errors'
import type { Tenant } from '../env'
import { ScimError } from '../http/scim-error'
import { applyPatch } from '../patch/apply-patch'
import type { MembershipChange } from '../patch/membership'
import { type ProjectionRequest, projectResource, wantsAttribute } from '../projection/project'
import type { ResourceTypeDefinition } from '../schema/attribute'
import { checkImmutable, isEqualValue, normalizeResource, stripUnstored } from '../schema/coerce'
import { membershipStatements } from './membership-writes'
import { type Computed, renderResource } from './render'
import { retryOnConflict } from './write-retry'

export type ResourceKind = 'User' | 'Group'
type Json = Record<string, unknown>

/** A resource as answered: its SCIM JSON (projected) and its version for the ETag. */
export interface Answer {
  readonly body: Json
  readonly version: number
}

/**
 * A write ready to run: its statements, and how to answer from their rows once they committed. Plans
 * are separate from running them so that /Bulk can put several operations into one D1 batch.
 */
export interface WritePlan {
  readonly statements: readonly Statement[]
  answer(results: readonly Record<string, unknown>[][]): Answer
}

function writeScope(tenant: Tenant): WriteScope {
  return {
    tenantId: tenant.name,
    db: tenant.db,
    registry: tenant.registry,
    tokenId: tenant.tokenId,
    at: new Date().toISOString(),
  }
}

function resourceTypeOf(tenant: Tenant, kind: ResourceKind): ResourceTypeDefinition {
  const resourceType = tenant.registry.resourceType(kind)
  if (!resourceType) throw new TypeError(`No ${kind} resource type in the registry`)
  return resourceType
}

/** Reads of the computed attributes (a user's groups, a group's members) that the projection wants. */
function computedReads(tenant: Tenant, kind: ResourceKind, id: string, projection: ProjectionRequest) {
  const scope = { tenantId: tenant.name, db: tenant.db, registry: tenant.registry }
  const resourceType = resourceTypeOf(tenant, kind)
  const name = kind === 'User' ? 'groups' : 'members'
  if (!wantsAttribute(projection, tenant.registry, resourceType, name)) return []
  return kind === 'User'
    ? [selectGroupsOfUsers(scope, sql`SELECT ${id}`)]
    : [selectMembersOfGroups(scope, sql`SELECT ${id}`)]
}

function computedOf(kind: ResourceKind, results: readonly Record<string, unknown>[][]): Computed {
  const [rows] = results as [never[] | undefined]
  if (rows === undefined) return {}
  return kind === 'User' ? { groups: rows } : { members: rows }
}

function answer(
  tenant: Tenant,
  kind: ResourceKind,
  stored: StoredResource,
  computed: Computed,
  projection: ProjectionRequest,
) {
  const full = renderResource(kind, stored, tenant.baseUrl, computed)
  const body = projectResource(full, projection, tenant.registry, resourceTypeOf(tenant, kind))
  return { body, version: stored.version }
}

/** Runs a batch, turning a unique-index violation into 409 `uniqueness` and an oversized row into 413. */
export async function commit(tenant: Tenant, statements: readonly Statement[]) {
  try {
    return await runBatch(tenant.d1, statements)
  } catch (error) {
    throw storageLimitError(uniquenessError(error, statements))
  }
}

/** Runs one plan as its own batch and answers from its rows. */
const runPlan = async (tenant: Tenant, plan: WritePlan) => plan.answer(await commit(tenant, plan.statements))

/** RFC 7644 §3.4.1 — one resource with its computed attributes, in one round trip. */
export async function getResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  projection: ProjectionRequest,
) {
  const scope = { tenantId: tenant.name, db: tenant.db, registry: tenant.registry }
  const [rows = [], ...computed] = await commit(tenant, [
    selectResource(scope, tableOf(kind), id),
    ...computedReads(tenant, kind, id, projection),
  ])
  const [row] = rows
  if (!row) throw ScimError.notFound(`${kind} ${id} not found`)
  return answer(tenant, kind, toStored(row), computedOf(kind, computed), projection)
}

/** Splits a group's `members` (stored as rows) from the rest of its JSON. */
function splitMembers(kind: ResourceKind, resource: Json): { resource: Json; members?: MembershipChange } {
  if (kind !== 'Group' || !Array.isArray(resource.members)) return { resource }
  const { members, ...rest } = resource
  const values = (members as Json[]).map((m) => ({ value: String(m.value) }))
  return { resource: rest, members: { kind: 'add', members: values } }
}

/** The body of a POST or PUT as it will be stored (plus group members, stored apart). */
function incoming(tenant: Tenant, kind: ResourceKind, body: Json, mode: 'create' | 'replace') {
  const resourceType = resourceTypeOf(tenant, kind)
  const normalized = normalizeResource(body, tenant.registry, resourceType, mode)
  return splitMembers(kind, stripUnstored(normalized, tenant.registry, resourceType))
}

/** RFC 7644 §3.3 — plans a create: row, child rows, members, event, and the reads to answer. */
export function planCreate(
  tenant: Tenant,
  kind: ResourceKind,
  body: Json,
  projection: ProjectionRequest,
): WritePlan {
  const scope = writeScope(tenant)
  const { resource, members } = incoming(tenant, kind, body, 'create')
  const stored: StoredResource = {
    id: crypto.randomUUID(),
    created: scope.at,
    lastModified: scope.at,
    version: 1,
    resource,
  }
  const event: ChangeEvent = {
    resourceType: kind,
    resourceId: stored.id,
    operation: 'created',
    attributes: Object.keys(resource).filter((k) => k !== 'schemas'),
    version: 1,
  }
  // A new user belongs to no group yet; a new group's members are read back only if any were given.
  const reads = members ? computedReads(tenant, kind, stored.id, projection) : []
  return {
    statements: [
      ...insertResource(scope, tableOf(kind), stored, event),
      ...(members ? membershipStatements({ ...scope, groupId: stored.id }, [members]) : []),
      ...reads,
    ],
    answer(results) {
      const computed =
        reads.length > 0 ? computedOf(kind, results.slice(-1)) : kind === 'Group' ? { members: [] } : {}
      return answer(tenant, kind, stored, computed, projection)
    },
  }
}

/** RFC 7644 §3.3 — creates a resource in one batch. */
export const createResource = (
  tenant: Tenant,
  kind: ResourceKind,
  body: Json,
  projection: ProjectionRequest,
) => runPlan(tenant, planCreate(tenant, kind, body, projection))

/** The event operation of a change: (de|re)activation is its own operation for identity lifecycle consumers. */
function operationOf(before: Json, after: Json, otherwise: EventOperation): EventOperation {
  if (before.active !== false && after.active === false) return 'deactivated'
  if (before.active === false && after.active === true) return 'reactivated'
  return otherwise
}

/** The read of the current stored resource for a read-modify-write; see `currentOf`. */
export const selectCurrent = (tenant: Tenant, kind: ResourceKind, id: string) =>
  selectResource({ tenantId: tenant.name, db: tenant.db, registry: tenant.registry }, tableOf(kind), id)

/** The current resource from the rows of `selectCurrent`: 404 when absent, 412 when `If-Match` fails. */
export function currentOf(
  rows: readonly Record<string, unknown>[],
  kind: ResourceKind,
  id: string,
  ifMatch: number | undefined,
) {
  const [row] = rows
  if (!row) throw ScimError.notFound(`${kind} ${id} not found`)
  const current = toStored(row)
  if (ifMatch !== undefined && current.version !== ifMatch) throw ScimError.preconditionFailed()
  return current
}

/** Reads the current stored resource for a read-modify-write, checking `If-Match`. */
async function readForWrite(tenant: Tenant, kind: ResourceKind, id: string, ifMatch: number | undefined) {
  const [rows = []] = await runBatch(tenant.d1, [selectCurrent(tenant, kind, id)])
  return currentOf(rows, kind, id, ifMatch)
}

interface Change {
  readonly resource: Json
  readonly changedAttributes: readonly string[]
  readonly membership: readonly MembershipChange[]
  readonly operation: EventOperation
}

/**
 * Plans a computed change of `current` as one batch: the guarded update (or, for a membership-only
 * change, an existence guard and a version bump), the membership delta, the events, and the reads
 * that answer the request; `undefined` when nothing changes. A lost race surfaces as a write
 * conflict for `retryOnConflict`.
 */
function planChange(
  tenant: Tenant,
  kind: ResourceKind,
  current: StoredResource,
  change: Change,
  projection: ProjectionRequest,
  ifMatch: number | undefined,
): WritePlan | undefined {
  const scope = writeScope(tenant)
  const table = tableOf(kind)
  const resourceChanged = !isEqualValue(change.resource, current.resource)
  if (!resourceChanged && change.membership.length === 0) return undefined
  const operation = operationOf(current.resource, change.resource, change.operation)
  const resourceType = resourceTypeOf(tenant, kind)
  // Members have their own events; writeOnly attributes (password) are never stored nor reported.
  const attributes = change.changedAttributes.filter(
    (a) => a !== 'members' && tenant.registry.resolve(resourceType, a)?.attribute.mutability !== 'writeOnly',
  )
  const ownEvent: ChangeEvent = { resourceType: kind, resourceId: current.id, operation, attributes }
  const statements = resourceChanged
    ? updateResource(
        scope,
        table,
        { ...current, lastModified: scope.at, version: current.version + 1, resource: change.resource },
        current.version,
        [{ ...ownEvent, version: current.version + 1 }],
      )
    : [
        guard(scope, table, current.id, ifMatch),
        sql`UPDATE groups SET version = version + 1, last_modified = ${scope.at}
          WHERE tenant_id = ${scope.tenantId} AND id = ${current.id}`,
      ]
  const reads = [
    selectResource(scope, table, current.id),
    ...computedReads(tenant, kind, current.id, projection),
  ]
  return {
    statements: [
      ...statements,
      ...membershipStatements({ ...scope, groupId: current.id }, change.membership),
      ...reads,
    ],
    answer(results) {
      const [[row] = [], ...computed] = results.slice(-reads.length)
      if (!row) throw ScimError.notFound(`${kind} ${current.id} not found`)
      return answer(tenant, kind, toStored(row), computedOf(kind, computed), projection)
    },
  }
}

/** Answers an unchanged resource (a PUT or PATCH that changed nothing writes nothing). */
async function unchanged(tenant: Tenant, kind: ResourceKind, id: string, projection: ProjectionRequest) {
  return getResource(tenant, kind, id, projection)
}

/** RFC 7644 §3.5.1 — plans replacing `current`'s writable attributes; `undefined` when nothing changes. */
export function planReplace(
  tenant: Tenant,
  kind: ResourceKind,
  current: StoredResource,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: number | undefined,
) {
  const { resource, members } = incoming(tenant, kind, body, 'replace')
  checkImmutable(current.resource, resource, tenant.registry, resourceTypeOf(tenant, kind))
  const membership: MembershipChange[] =
    kind === 'Group' ? [{ kind: 'removeAll' }, ...(members ? [members] : [])] : []
  const changedAttributes = Object.keys({ ...current.resource, ...resource }).filter(
    (k) => k !== 'schemas' && !isEqualValue(current.resource[k], resource[k]),
  )
  const change = { resource, changedAttributes, membership, operation: 'replaced' as const }
  return planChange(tenant, kind, current, change, projection, ifMatch)
}

/** RFC 7644 §3.5.1 — replaces all writable attributes; omitted ones are cleared. */
export async function replaceResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: number | undefined,
) {
  // Malformed bodies fail before any read.
  incoming(tenant, kind, body, 'replace')
  return retryOnConflict(async () => {
    const current = await readForWrite(tenant, kind, id, ifMatch)
    const plan = planReplace(tenant, kind, current, body, projection, ifMatch)
    return plan ? runPlan(tenant, plan) : unchanged(tenant, kind, id, projection)
  }, ifMatch)
}

/** RFC 7644 §3.5.2 — plans applying a PatchOp to `current`; `undefined` when nothing changes. */
export function planPatch(
  tenant: Tenant,
  kind: ResourceKind,
  current: StoredResource,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: number | undefined,
) {
  const resourceType = resourceTypeOf(tenant, kind)
  const patched = applyPatch(current.resource, body.Operations, {
    registry: tenant.registry,
    resourceType,
    externalMembers: kind === 'Group',
  })
  const resource = stripUnstored(patched.resource, tenant.registry, resourceType)
  const change = { ...patched, resource, operation: 'patched' as const }
  return planChange(tenant, kind, current, change, projection, ifMatch)
}

/** RFC 7644 §3.5.2 — applies a PatchOp atomically; concurrent patches are retried, never lost. */
export async function patchResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: number | undefined,
) {
  return retryOnConflict(async () => {
    const current = await readForWrite(tenant, kind, id, ifMatch)
    const plan = planPatch(tenant, kind, current, body, projection, ifMatch)
    return plan ? runPlan(tenant, plan) : unchanged(tenant, kind, id, projection)
  }, ifMatch)
}

/** RFC 7644 §3.6 — the statements that delete a resource and its memberships, guarded by `If-Match`. */
export const planRemove = (tenant: Tenant, kind: ResourceKind, id: string, ifMatch: number | undefined) =>
  deleteResource(writeScope(tenant), tableOf(kind), id, ifMatch)

/** RFC 7644 §3.6 — deletes a resource and its memberships in one batch. */
export async function removeResource(
  tenant: Tenant,
  kind: ResourceKind,
  id: string,
  ifMatch: number | undefined,
) {
  try {
    await runBatch(tenant.d1, planRemove(tenant, kind, id, ifMatch))
  } catch (error) {
    if (!isWriteConflict(error)) throw error
    // The guard fired: the resource is gone, or (with If-Match) its version moved.
    if (ifMatch !== undefined) await readForWrite(tenant, kind, id, ifMatch)
    throw ScimError.notFound(`${kind} ${id} not found`)
  }
}
