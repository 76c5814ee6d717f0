import type { ControlPorts } from '../control/ports'
import { query } from '../control/ports'
import type { TenantRow } from '../control/tenant-row'
import type { TokenMetadata } from '../control/tokens'

/**
 * The SCIM base URL of a tenant as its identity provider must be told: on the deployment's base
 * domain, or on `<tenant>.localhost` when the API itself was called on localhost (wrangler dev).
 */
export function scimBaseUrl(name: string, requestUrl: string, env: Pick<Env, 'BASE_DOMAIN'>): string {
  const url = new URL(requestUrl)
  if (url.hostname === 'localhost' || url.hostname === '127.0.0.1')
    return `${url.protocol}//${name}.localhost${url.port ? `:${url.port}` : ''}/scim/v2`
  return `https://${name}.${env.BASE_DOMAIN}/scim/v2`
}

/** A tenant without its counts: what a list shows. */
export function tenantSummary(row: TenantRow, tokens: TokenMetadata[], baseUrl: string) {
  return {
    name: row.name,
    status: row.status,
    db: row.db,
    ...(row.label !== undefined && { label: row.label }),
    ...(row.metadata !== undefined && { metadata: row.metadata }),
    createdAt: row.createdAt,
    scimBaseUrl: baseUrl,
    tokens,
    schemas: row.schemas.map((d) => d.schema.id),
  }
}

/** How many users and groups the tenant holds: one indexed read of its resource_counts. */
export async function resourceCounts(ports: ControlPorts, row: TenantRow) {
  const port = ports.database(row.db)
  const rows = port
    ? await query(port, 'SELECT resource_type, count FROM resource_counts WHERE tenant_id = ?', row.name)
    : []
  const count = (type: string) => Number(rows.find((r) => r.resource_type === type)?.count ?? 0)
  return { users: count('User'), groups: count('Group') }
}
