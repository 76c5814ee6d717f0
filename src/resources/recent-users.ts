/**
 * The users this isolate read or wrote in the last minute, so that a PUT or PATCH right after (an
 * identity provider reads a user, then writes it; or patches it twice) can skip the read of its
 * read-modify-write: one D1 round trip instead of two. It is only ever a guess. A user's write is
 * guarded by the version it was computed from (`updateResource`), so a stale entry makes the batch
 * fail whole and the write runs again from a fresh read; and every other outcome of a guess (an
 * error, or nothing to change) is decided again from a fresh read as well (src/resources/service.ts).
 * Groups are not kept: a change of members alone is not guarded by the version.
 */
import type { StoredResource } from '../db/resource-tables'
import type { Tenant } from '../env'

const TTL_MS = 60_000
const MAX_ENTRIES = 1000
/** The JSON kept in all, and for one user: the isolate's memory (128 MB) serves requests first. */
const MAX_BYTES = 4 * 1024 * 1024
const MAX_ENTRY_BYTES = 64 * 1024

interface Entry {
  readonly stored: StoredResource
  readonly bytes: number
  readonly at: number
}

const entries = new Map<string, Entry>()
let totalBytes = 0

type Owner = Pick<Tenant, 'record'>

// The tenant's creation time keeps a deleted and recreated tenant of the same name apart.
const keyOf = ({ record }: Owner, id: string) => `${record.name}\n${record.db}\n${record.createdAt}\n${id}`

function drop(key: string): void {
  const entry = entries.get(key)
  if (!entry) return
  entries.delete(key)
  totalBytes -= entry.bytes
}

/** Keeps `stored` as the tenant's user at its version (the newest first out of the map's order). */
export function rememberUser(tenant: Owner, stored: StoredResource): void {
  const key = keyOf(tenant, stored.id)
  drop(key)
  const bytes = JSON.stringify(stored.resource).length
  if (bytes > MAX_ENTRY_BYTES) return
  entries.set(key, { stored, bytes, at: Date.now() })
  totalBytes += bytes
  // Map order is insertion order: the oldest entries go first.
  for (const oldest of entries.keys()) {
    if (entries.size <= MAX_ENTRIES && totalBytes <= MAX_BYTES) break
    drop(oldest)
  }
}

/** The user as this isolate last saw it, if that was within the last minute. */
export function recalledUser(tenant: Owner, id: string): StoredResource | undefined {
  const key = keyOf(tenant, id)
  const entry = entries.get(key)
  if (!entry) return undefined
  if (Date.now() - entry.at > TTL_MS) {
    drop(key)
    return undefined
  }
  return entry.stored
}

export const forgetUser = (tenant: Owner, id: string) => drop(keyOf(tenant, id))
