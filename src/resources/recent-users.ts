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
/** The JSON kept in all, and for one user, in characters: the isolate's memory (128 MB) serves requests first. */
const MAX_JSON = 4 * 1024 * 1024
const MAX_ENTRY_JSON = 64 * 1024

interface Entry {
  readonly stored: StoredResource
  /** The length of the resource's JSON. */
  readonly size: number
  readonly at: number
}

const entries = new Map<string, Entry>()
let totalSize = 0

type Owner = Pick<Tenant, 'record'>

// The tenant's creation time keeps a deleted and recreated tenant of the same name apart.
const keyOf = ({ record }: Owner, id: string) => `${record.name}\n${record.db}\n${record.createdAt}\n${id}`

function drop(key: string): void {
  const entry = entries.get(key)
  if (!entry) return
  entries.delete(key)
  totalSize -= entry.size
}

/**
 * Keeps `stored` as the tenant's user at its version; `size` is its resource's JSON length when the
 * caller holds that JSON (a row just read), so that it is not serialized again.
 */
export function rememberUser(
  tenant: Owner,
  stored: StoredResource,
  size = JSON.stringify(stored.resource).length,
): void {
  const key = keyOf(tenant, stored.id)
  drop(key)
  if (size > MAX_ENTRY_JSON) return
  entries.set(key, { stored, size, at: Date.now() })
  totalSize += size
  // Map order is insertion order: the oldest entries go first.
  for (const oldest of entries.keys()) {
    if (entries.size <= MAX_ENTRIES && totalSize <= MAX_JSON) break
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
