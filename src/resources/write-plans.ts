/**
 * Writes as plans: the statements of a create, replace, patch or delete and how to answer from their
 * rows, computed in the Worker from the current state, so one D1 batch carries each write.
 */
import { sql } from 'drizzle-orm'
import type { Statement } from '../db/batch'
import type { ChangeEvent, EventOperation } from '../db/events'
import {
  deleteResource,
  guard,
  insertResource,
  selectResource,
  toStored,
  updateResource,
  type WriteScope,
} from '../db/resource-store'
import { type StoredResource, tableOf } from '../db/resource-tables'
import type { Tenant } from '../env'
import { type AcceptedVersions, matchesVersion } from '../http/etag'
import { ScimError } from '../http/scim-error'
import { applyPatch } from '../patch/apply-patch'
import type { MembershipChange } from '../patch/membership'
import type { ProjectionRequest } from '../projection/project'
import { checkImmutable, isEqualValue, normalizeResource, stripUnstored } from '../schema/coerce'
import { checkListLengths } from '../schema/list-lengths'
import {
  type Answer,
  answerOf,
  computedOf,
  computedReads,
  type Json,
  type ResourceKind,
  resourceTypeOf,
} from './answer'
import { membershipStatements } from './membership-writes'

/**
 * A write ready to run: its statements, and how to answer from their rows once they committed. Plans
 * are separate from running them so that /Bulk can put several operations into one D1 batch.
 */
export interface WritePlan {
  readonly statements: readonly Statement[]
  /** The resource as stored once the batch committed, when the plan knows it whole. */
  readonly written?: StoredResource
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

/** Splits a group's `members` (stored as rows) from the rest of its JSON. */
function splitMembers(kind: ResourceKind, resource: Json): { resource: Json; members?: MembershipChange } {
  if (kind !== 'Group' || !Array.isArray(resource.members)) return { resource }
  const { members, ...rest } = resource
  const values = (members as Json[]).map((m) => ({ value: String(m.value) }))
  return { resource: rest, members: { kind: 'add', members: values } }
}

/** The body of a POST or PUT as it will be stored (plus group members, stored apart). */
export function incoming(tenant: Tenant, kind: ResourceKind, body: Json, mode: 'create' | 'replace') {
  checkListLengths(body, tenant.limits.multiValuedElements, 'body')
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
      ...(members ? membershipStatements({ ...scope, groupId: stored.id }, [members], tenant.limits) : []),
      ...reads,
    ],
    written: stored,
    answer(results) {
      const computed =
        reads.length > 0
          ? computedOf(kind, stored.id, results.slice(-1))
          : kind === 'Group'
            ? { members: [] }
            : {}
      return answerOf(tenant, kind, stored, computed, projection)
    },
  }
}

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
  ifMatch: AcceptedVersions,
) {
  const [row] = rows
  if (!row) throw ScimError.notFound(`${kind} ${id} not found`)
  const current = toStored(row)
  if (!matchesVersion(ifMatch, current.version)) throw ScimError.preconditionFailed()
  return current
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
 * conflict for `retryOnConflict`. An update is guarded by `current`'s version, so once it committed
 * the row is what was written and is not read back; a membership-only change without `If-Match`
 * bumps whatever version the row has by then, so that row is read.
 */
function planChange(
  tenant: Tenant,
  kind: ResourceKind,
  current: StoredResource,
  change: Change,
  projection: ProjectionRequest,
  ifMatch: AcceptedVersions,
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
  const version = current.version + 1
  const written = resourceChanged
    ? { ...current, lastModified: scope.at, version, resource: change.resource }
    : undefined
  const statements = written
    ? updateResource(scope, table, written, current, {
        resourceType: kind,
        resourceId: current.id,
        operation,
        attributes,
        version,
      })
    : [
        guard(scope, table, current.id, ifMatch && [current.version]),
        sql`UPDATE groups SET version = version + 1, last_modified = ${scope.at}
          WHERE tenant_id = ${scope.tenantId} AND id = ${current.id}`,
      ]
  const reads = [
    ...(written ? [] : [selectResource(scope, table, current.id)]),
    ...computedReads(tenant, kind, current.id, projection),
  ]
  return {
    statements: [
      ...statements,
      ...membershipStatements({ ...scope, groupId: current.id }, change.membership, tenant.limits),
      ...reads,
    ],
    written,
    answer(results) {
      const read = reads.length === 0 ? [] : results.slice(-reads.length)
      if (written) return answerOf(tenant, kind, written, computedOf(kind, current.id, read), projection)
      const [[row] = [], ...computed] = read
      if (!row) throw ScimError.notFound(`${kind} ${current.id} not found`)
      return answerOf(tenant, kind, toStored(row), computedOf(kind, current.id, computed), projection)
    },
  }
}

/** RFC 7644 §3.5.1 — plans replacing `current`'s writable attributes; `undefined` when nothing changes. */
export function planReplace(
  tenant: Tenant,
  kind: ResourceKind,
  current: StoredResource,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: AcceptedVersions,
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

/** RFC 7644 §3.5.2 — plans applying a PatchOp to `current`; `undefined` when nothing changes. */
export function planPatch(
  tenant: Tenant,
  kind: ResourceKind,
  current: StoredResource,
  body: Json,
  projection: ProjectionRequest,
  ifMatch: AcceptedVersions,
) {
  const resourceType = resourceTypeOf(tenant, kind)
  const cap = tenant.limits.multiValuedElements
  // Each operation's lists before the work, then what the lists grew to.
  for (const op of Array.isArray(body.Operations) ? body.Operations : []) {
    checkListLengths(op?.value, cap, typeof op?.path === 'string' ? op.path : 'value')
  }
  const patched = applyPatch(current.resource, body.Operations, {
    registry: tenant.registry,
    resourceType,
    externalMembers: kind === 'Group',
  })
  const resource = stripUnstored(patched.resource, tenant.registry, resourceType)
  checkListLengths(resource, cap, 'resource')
  const change = { ...patched, resource, operation: 'patched' as const }
  return planChange(tenant, kind, current, change, projection, ifMatch)
}

/** RFC 7644 §3.6 — the statements that delete a resource and its memberships, guarded by `If-Match`. */
export const planRemove = (tenant: Tenant, kind: ResourceKind, id: string, ifMatch: AcceptedVersions) =>
  deleteResource(writeScope(tenant), tableOf(kind), id, ifMatch)
