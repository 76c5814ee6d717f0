import { builtinRegistry } from '../schema/builtin'
import type { SchemaRegistry } from '../schema/registry'
import { checkDeclarations, declarationsHash, tenantRegistry } from '../schema/tenant-schemas'
import type { TenantRecord } from './tenant-record'

// Tenants whose registry an isolate keeps; beyond that the least recently used is rebuilt when next needed.
const MAX_CACHED_TENANTS = 500

/** Per tenant, the registry built from its declarations and the hash they had. */
const cache = new Map<string, { readonly hash: string; readonly registry: SchemaRegistry }>()

/**
 * The schema registry of a tenant: the built-in schemas plus the extensions its record declares
 * (RFC 7643 §3.3). Cached per isolate under the record's `schemasHash`, so it is checked and built
 * again only when the declaration changes, which the record read on each request reveals.
 */
export async function registryOf(record: TenantRecord): Promise<SchemaRegistry> {
  if (record.schemas === undefined && record.schemasHash === undefined) return builtinRegistry
  const cached = cache.get(record.name)
  if (cached && cached.hash === (record.schemasHash ?? '')) {
    // Re-inserted so that the Map's insertion order is least recently used first.
    cache.delete(record.name)
    cache.set(record.name, cached)
    return cached.registry
  }
  const checked = checkDeclarations(record.schemas ?? [])
  if (!checked.ok)
    throw new Error(`Tenant ${record.name} declares invalid schemas: ${checked.problems.join('; ')}`)
  const hash = checked.value.length === 0 ? '' : await declarationsHash(checked.value)
  // A record edited by hand would otherwise be served from registries cached under the old hash.
  if (hash !== (record.schemasHash ?? ''))
    throw new Error(
      `Tenant ${record.name}: schemasHash does not match its schemas; re-declare them with the tenant CLI`,
    )
  const registry = tenantRegistry(checked.value)
  cache.delete(record.name)
  if (cache.size >= MAX_CACHED_TENANTS) cache.delete(cache.keys().next().value as string)
  cache.set(record.name, { hash, registry })
  return registry
}
