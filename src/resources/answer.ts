/** How a resource is answered: rendered from its stored row and computed attributes, then projected. */
import { sql } from 'drizzle-orm'
import { groupsOfUsers, selectGroupGraph } from '../db/group-graph'
import { selectMembersOfGroups } from '../db/resource-store'
import type { StoredResource } from '../db/resource-tables'
import type { TenantReader } from '../env'
import {
  type ProjectionRequest,
  parseAttributeList,
  projectResource,
  wantsAttribute,
} from '../projection/project'
import type { ResourceTypeDefinition } from '../schema/attribute'
import { type Computed, renderResource } from './render'

export type ResourceKind = 'User' | 'Group'

export type Json = Record<string, unknown>

/** A resource as answered: its SCIM JSON (projected) and its version for the ETag. */
export interface Answer {
  readonly body: Json
  readonly version: number
}

export function resourceTypeOf(
  tenant: Pick<TenantReader, 'registry'>,
  kind: ResourceKind,
): ResourceTypeDefinition {
  const resourceType = tenant.registry.resourceType(kind)
  if (!resourceType) throw new TypeError(`No ${kind} resource type in the registry`)
  return resourceType
}

/**
 * A projection without the computed attribute (a user's groups, a group's members), for answers
 * that carry no body (a BulkResponse, a group PATCH's 204): their rows are then never read, so the
 * cost of a write follows the change and not the size of the group.
 */
export function withoutComputedAttributes(
  tenant: Pick<TenantReader, 'registry'>,
  kind: ResourceKind,
): ProjectionRequest {
  const computed = kind === 'User' ? 'groups' : 'members'
  const excludedAttributes = parseAttributeList(computed, tenant.registry, resourceTypeOf(tenant, kind))
  return { attributes: [], excludedAttributes }
}

/** Reads of the computed attributes (a user's groups, a group's members) that the projection wants. */
export function computedReads(
  tenant: TenantReader,
  kind: ResourceKind,
  id: string,
  projection: ProjectionRequest,
) {
  const scope = { tenantId: tenant.name, db: tenant.db, registry: tenant.registry }
  const resourceType = resourceTypeOf(tenant, kind)
  const name = kind === 'User' ? 'groups' : 'members'
  if (!wantsAttribute(projection, tenant.registry, resourceType, name)) return []
  return kind === 'User'
    ? [selectGroupGraph(scope, sql`SELECT 'User' AS type, ${id} AS id`)]
    : [selectMembersOfGroups(scope, sql`SELECT 'Group' AS type, ${id} AS id`)]
}

/** The computed attribute of resource `id` from the rows of `computedReads`. */
export function computedOf(
  kind: ResourceKind,
  id: string,
  results: readonly Record<string, unknown>[][],
): Computed {
  const [rows] = results as [never[] | undefined]
  if (rows === undefined) return {}
  return kind === 'User' ? { groups: groupsOfUsers(rows, [id]).groups.get(id) ?? [] } : { members: rows }
}

export function answerOf(
  tenant: TenantReader,
  kind: ResourceKind,
  stored: StoredResource,
  computed: Computed,
  projection: ProjectionRequest,
) {
  const full = renderResource(kind, stored, tenant.baseUrl, computed)
  const body = projectResource(full, projection, tenant.registry, resourceTypeOf(tenant, kind))
  return { body, version: stored.version }
}
