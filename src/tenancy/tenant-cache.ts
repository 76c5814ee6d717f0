import { REVOCATION_DELAY_SECONDS } from './revocation-delay'
import type { TenantRecord } from './tenant-record'

/**
 * The budget of the revocation delay, cache by cache. KV's edge cache (`cacheTtl`, at its minimum of
 * 60 s) holds a record in a location for up to that long; a write reaches KV's regional tiers, which
 * then purge the key, within seconds (allowed 30 here); the isolate keeps what it read for the rest.
 */
export const KV_CACHE_TTL_SECONDS = 60
const KV_PROPAGATION_SECONDS = 30
export const ISOLATE_CACHE_SECONDS = REVOCATION_DELAY_SECONDS - KV_CACHE_TTL_SECONDS - KV_PROPAGATION_SECONDS

// Tenants whose record an isolate keeps; beyond that the least recently used is read again.
const MAX_CACHED_RECORDS = 500

const cache = new Map<string, { readonly record: TenantRecord; readonly until: number }>()

/**
 * The tenant's record from this isolate's cache while it is younger than ISOLATE_CACHE_SECONDS and
 * `usable` (it holds the presented token), otherwise from `read` (KV). So a new or rotated token, and
 * a new tenant, work as soon as KV has them; only a removal waits out the cache, as budgeted. Token
 * expiry is checked on every request against the record, so it stays exact.
 */
export async function cachedTenantRecord(
  name: string,
  read: () => Promise<TenantRecord | undefined>,
  usable: (record: TenantRecord) => boolean = () => true,
  now = Date.now(),
): Promise<TenantRecord | undefined> {
  const cached = cache.get(name)
  cache.delete(name)
  if (cached && cached.until > now && usable(cached.record)) {
    // Re-inserted so that the Map's insertion order is least recently used first.
    cache.set(name, cached)
    return cached.record
  }
  const record = await read()
  if (record) {
    if (cache.size >= MAX_CACHED_RECORDS) cache.delete(cache.keys().next().value as string)
    cache.set(name, { record, until: now + ISOLATE_CACHE_SECONDS * 1000 })
  }
  return record
}

/** Whether this isolate holds a fresh record of the tenant, without reading KV. */
export function isCachedTenant(name: string, now = Date.now()): boolean {
  return (cache.get(name)?.until ?? 0) > now
}

/** Drops a tenant's cached record, so that this isolate reads it again on its next request. */
export function forgetTenantRecord(name: string): void {
  cache.delete(name)
}
