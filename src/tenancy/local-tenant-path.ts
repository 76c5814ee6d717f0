import { TENANT_NAME_PATTERN } from './tenant-record'

// `http://localhost:8787/tenants/acme/scim/v2/Users`: Node's resolver (fetch, axios, newman) cannot
// resolve `acme.localhost` as curl does, so local tools may name the tenant in the path instead.
const SELECTOR = /^\/tenants\/([^/]+)(\/scim\/v2(?:\/.*)?)$/
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export interface LocalTenantPath {
  readonly tenant: string
  /** `/tenants/<name>`: kept in every URL the server builds, so `Location` leads back here. */
  readonly prefix: string
  /** The path without the prefix, `/scim/v2/…`. */
  readonly path: string
}

/**
 * The tenant a local request names in its path (`path` as Hono decodes it, `host` the Host header).
 * Only where `ALLOW_LOCALHOST_TENANTS` is "true" (never in production) and only on a bare loopback
 * host, so a request selects its tenant one way only; the token must still be that tenant's,
 * exactly as with a subdomain.
 */
export function localTenantPath(path: string, host: string, env: Env): LocalTenantPath | undefined {
  if (env.ALLOW_LOCALHOST_TENANTS !== 'true') return undefined
  if (!LOOPBACK_HOSTS.has(host.toLowerCase().replace(/:\d+$/, ''))) return undefined
  const [, label = '', rest] = SELECTOR.exec(path) ?? []
  const tenant = label.toLowerCase()
  if (!rest || !TENANT_NAME_PATTERN.test(tenant)) return undefined
  return { tenant, prefix: `/tenants/${tenant}`, path: rest }
}

/** The Host header, or the URL's host when a test sends none. */
export const hostOf = (request: Request) => request.headers.get('host') ?? new URL(request.url).host
