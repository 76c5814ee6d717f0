import { TENANT_NAME_PATTERN } from './tenant-record'

/**
 * The tenant named by a Host header: `<tenant>.<baseDomain>`, or `<tenant>.localhost` when local
 * tenants are allowed. Lowercases, strips the port and one trailing dot; anything else (the bare
 * base domain, an IP, a deeper subdomain, a malformed label) names no tenant.
 */
export function tenantFromHost(
  host: string | undefined,
  baseDomain: string,
  allowLocalhost: boolean,
): string | undefined {
  if (!host) return undefined
  const hostname = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
  const parents = [baseDomain.toLowerCase(), ...(allowLocalhost ? ['localhost'] : [])]
  for (const parent of parents) {
    if (!hostname.endsWith(`.${parent}`)) continue
    const label = hostname.slice(0, -(parent.length + 1))
    return TENANT_NAME_PATTERN.test(label) ? label : undefined
  }
  return undefined
}
