import type { GroupOfUser } from '../db/group-graph'
import type { MemberOfGroup } from '../db/resource-store'
import type { StoredResource } from '../db/resource-tables'
import { etagOf } from '../http/etag'
import { ENTERPRISE_USER_SCHEMA } from '../schema/urns'

type Json = Record<string, unknown>

const endpointOf = (type: 'User' | 'Group') => (type === 'User' ? 'Users' : 'Groups')

/** The absolute URL of a resource on the tenant's host, RFC 7644 §3.1 `Location`. */
export const locationOf = (baseUrl: string, type: 'User' | 'Group', id: string) =>
  `${baseUrl}/${endpointOf(type)}/${id}`

// An unpaired UTF-16 surrogate: JSON strings may carry one (`"\ud800"`), encodeURIComponent throws on it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** A path segment for any stored string: percent-encoded, a lone surrogate as U+FFFD. */
const pathSegment = (text: string) => encodeURIComponent(text.replace(LONE_SURROGATE, '\ufffd'))

/** The enterprise `manager` with its `$ref`, RFC 7643 §4.3; it is never resolved, so no display name. */
function withManagerRef(resource: Json, baseUrl: string): Json {
  const enterprise = resource[ENTERPRISE_USER_SCHEMA] as Json | undefined
  const manager = enterprise?.manager as Json | undefined
  if (typeof manager?.value !== 'string') return resource
  const ref = `${baseUrl}/Users/${pathSegment(manager.value)}`
  return { ...resource, [ENTERPRISE_USER_SCHEMA]: { ...enterprise, manager: { ...manager, $ref: ref } } }
}

/** RFC 7643 §4.1.2 — a user's groups, `direct` or `indirect` through nested groups. */
const renderGroups = (groups: readonly GroupOfUser[], baseUrl: string) =>
  groups.map((g) => ({
    value: g.groupId,
    $ref: locationOf(baseUrl, 'Group', g.groupId),
    display: g.display,
    type: g.depth === 1 ? 'direct' : 'indirect',
  }))

/** RFC 7643 §4.2 — members with their `$ref`, `type` and current `display`. */
export const renderMembers = (members: readonly MemberOfGroup[], baseUrl: string) =>
  members.map((m) => ({
    value: m.value,
    $ref: locationOf(baseUrl, m.type, m.value),
    type: m.type,
    ...(m.display === null ? {} : { display: m.display }),
  }))

export interface Computed {
  groups?: readonly GroupOfUser[]
  members?: readonly MemberOfGroup[]
}

/** The full SCIM representation of a stored resource, before projection. */
export function renderResource(
  type: 'User' | 'Group',
  stored: StoredResource,
  baseUrl: string,
  computed: Computed,
): Json {
  const { schemas, ...attributes } = stored.resource
  const location = locationOf(baseUrl, type, stored.id)
  return {
    schemas,
    id: stored.id,
    ...(type === 'User' ? withManagerRef(attributes, baseUrl) : attributes),
    ...(computed.groups && computed.groups.length > 0
      ? { groups: renderGroups(computed.groups, baseUrl) }
      : {}),
    ...(computed.members ? { members: renderMembers(computed.members, baseUrl) } : {}),
    meta: {
      resourceType: type,
      created: stored.created,
      lastModified: stored.lastModified,
      location,
      version: etagOf(stored.version),
    },
  }
}
