import { getPath } from 'hono/utils/url'
import { hostOf, localTenantPath } from '../tenancy/local-tenant-path'

const SCIM_ROOT = '/scim/v2/'
// RFC 7644 §3.2's endpoint names. Clients write them in other letter cases (Microsoft's reference
// collection sends `/users`); the names carry no meaning in their case, ids and URNs below them do.
const ENDPOINTS = new Map(
  ['Users', 'Groups', 'Bulk', 'Me', 'ServiceProviderConfig', 'Schemas', 'ResourceTypes', '.search'].map(
    (name) => [name.toLowerCase(), name],
  ),
)
const SEARCH = '.search'

/**
 * The path every part of the Worker sees (routing, the /Bulk body limit, event delivery, the request
 * log): endpoint names in their RFC 7644 letter case, no trailing slash (Entra sends `/Users/`),
 * and without a local tenant selector (`/tenants/<name>`, see local-tenant-path.ts).
 */
export function routingPath(request: Request, options?: { env?: Env }): string {
  const raw = getPath(request)
  const env = options?.env
  const path = (env && localTenantPath(raw, hostOf(request), env)?.path) ?? raw
  return canonicalEndpoints(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path)
}

/** `/scim/v2/users/.SEARCH` → `/scim/v2/Users/.search`; ids, URNs and other paths are unchanged. */
export function canonicalEndpoints(path: string): string {
  if (!path.startsWith(SCIM_ROOT)) return path
  const [endpoint = '', second, ...rest] = path.slice(SCIM_ROOT.length).split('/')
  const name = ENDPOINTS.get(endpoint.toLowerCase()) ?? endpoint
  const below =
    second !== undefined && (name === 'Users' || name === 'Groups') && second.toLowerCase() === SEARCH
      ? SEARCH
      : second
  return SCIM_ROOT + [name, ...(below === undefined ? [] : [below]), ...rest].join('/')
}
