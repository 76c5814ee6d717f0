/**
 * Directory's reads of users and groups, on the SCIM API's own read path: `getResource` and
 * `listResources` (the same filter compiler, sort, cursors and limits) and the same rendering.
 * Each is one D1 round trip.
 */
import type { TenantReader } from '../env'
import { ScimError } from '../http/scim-error'
import { type ProjectionRequest, parseAttributeList } from '../projection/project'
import { cursorSecretOf } from '../query/cursor'
import { type ListScope, listResources } from '../query/list'
import { parseSearchRequest } from '../query/list-params'
import { type ResourceKind, resourceTypeOf, withoutComputedAttributes } from '../resources/answer'
import { getResource } from '../resources/service'
import { SEARCH_REQUEST } from '../schema/urns'
import { directoryError, stringArgument } from './directory-error'
import type { GroupOfUser, ListOptions, ListResult, ScimGroup, ScimUser } from './types'

const ALL: ProjectionRequest = { attributes: [], excludedAttributes: [] }

/** Users with their groups; groups without members (`groupMembers` pages them). */
const projectionOf = (tenant: TenantReader, kind: ResourceKind) =>
  kind === 'User' ? ALL : withoutComputedAttributes(tenant, kind)

async function getById(tenant: TenantReader, kind: ResourceKind, id: unknown, projection: ProjectionRequest) {
  try {
    return (await getResource(tenant, kind, stringArgument('The id', id), projection)).body
  } catch (error) {
    if (error instanceof ScimError && error.status === 404) return null
    throw error
  }
}

export const getUser = async (tenant: TenantReader, id: unknown) =>
  (await getById(tenant, 'User', id, ALL)) as ScimUser | null

export const getGroup = async (tenant: TenantReader, id: unknown) =>
  (await getById(tenant, 'Group', id, projectionOf(tenant, 'Group'))) as ScimGroup | null

/** A user's groups, direct and indirect (RFC 7643 §4.1.2); null when the user does not exist. */
export async function groupsOfUser(tenant: TenantReader, userId: unknown): Promise<GroupOfUser[] | null> {
  const attributes = parseAttributeList('groups', tenant.registry, resourceTypeOf(tenant, 'User'))
  const user = await getById(tenant, 'User', userId, { attributes, excludedAttributes: [] })
  return user === null ? null : ((user.groups as GroupOfUser[] | undefined) ?? [])
}

/** A list query through the SearchRequest parser: the SCIM API's validation, defaults and limits. */
async function list(tenant: TenantReader, env: Env, scope: ListScope, options: ListOptions | undefined) {
  const { filter, sortBy, sortOrder, count, cursor, startIndex } = options ?? {}
  const params = parseSearchRequest({
    schemas: [SEARCH_REQUEST],
    filter,
    sortBy,
    sortOrder,
    count,
    cursor,
    startIndex,
    ...(scope === 'Group' ? { excludedAttributes: 'members' } : {}),
  })
  const { schemas: _, ...result } = await listResources(tenant, scope, params, cursorSecretOf(env))
  return result
}

export const listUsers = (tenant: TenantReader, env: Env, options?: ListOptions) =>
  list(tenant, env, 'User', options) as Promise<ListResult<ScimUser>>

export const listGroups = (tenant: TenantReader, env: Env, options?: ListOptions) =>
  list(tenant, env, 'Group', options) as Promise<ListResult<ScimGroup>>

/** The one user whose `attribute` equals `value`, by the filter compiler (an indexed lookup). */
async function userWhere(tenant: TenantReader, env: Env, attribute: string, value: unknown) {
  const text = stringArgument(attribute, value)
  // A SCIM filter's string literal is a JSON string (RFC 7644 §3.4.2.2).
  const filter = `${attribute} eq ${JSON.stringify(text)}`
  const { totalResults, Resources } = await listUsers(tenant, env, { filter, count: 2 })
  if (totalResults > 1) {
    throw directoryError(
      'ambiguous',
      `${totalResults} users have ${attribute} ${JSON.stringify(text)}: list them with a filter`,
    )
  }
  return Resources[0] ?? null
}

/** userName is unique per tenant case-insensitively, so this finds at most one user. */
export const userByUserName = (tenant: TenantReader, env: Env, userName: unknown) =>
  userWhere(tenant, env, 'userName', userName)

/** externalId is not unique (RFC 7643 §3.1): two users with it are an `ambiguous` error. */
export const userByExternalId = (tenant: TenantReader, env: Env, externalId: unknown) =>
  userWhere(tenant, env, 'externalId', externalId)
