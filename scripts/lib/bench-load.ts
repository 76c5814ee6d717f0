/**
 * Loads the benchmark's directory through the SCIM API, as an identity provider would: users and
 * groups by /Bulk (RFC 7644 §3.7, up to MAX_BULK_OPERATIONS a request), then the big group's
 * members by PATCH add in chunks, then a few recent changes for the `meta.lastModified gt` query.
 */
import type { Log, ScimClient } from './bench-client'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

/** Operations per BulkRequest: within bulk.maxOperations (497 with the default MAX_QUERIES_PER_INVOCATION). */
const BULK_SIZE = 400
/** Body bytes per BulkRequest: below the server's 1 MiB maxPayloadSize, with room for the envelope. */
const BULK_BYTES = 900_000
/** Members per PATCH while building the big group: 1000 ids stay far below the 1 MB body limit. */
const PATCH_CHUNK = 1000
/** Members of each ordinary group. */
export const GROUP_SIZE = 20
/** Users changed after the load; `meta.lastModified gt` finds exactly these. */
export const RECENT_CHANGES = 10
/** The big group's size when there are enough users (the issue's 10,000-member group). */
const BIG_GROUP_SIZE = 10_000
// A bulk of 1000 users can take seconds at 100k users; a minute means something is wrong.
const BULK_TIMEOUT_MS = 120_000

// The values each query looks for: a pure function of the user's number, so 1k and 100k runs
// query the same shapes.
export const userNameOf = (i: number) => `bench.user${i}@example.com`
export const externalIdOf = (i: number) => `ext-${i}`
export const workEmailOf = (i: number) => `user${i}@work.example.com`
export const groupNameOf = (j: number) => `Bench Group ${j}`
export const BIG_GROUP_NAME = 'Bench Big Group'

function userOf(i: number) {
  return {
    schemas: [USER],
    userName: userNameOf(i),
    externalId: externalIdOf(i),
    name: { givenName: `Given${i}`, familyName: `Family${i}`, formatted: `Given${i} Family${i}` },
    displayName: `Bench User ${i}`,
    active: i % 10 !== 0,
    emails: [
      { type: 'work', value: workEmailOf(i), primary: true },
      { type: 'home', value: `home${i}@example.net` },
    ],
  }
}

/** What the queries need to know about the loaded directory. */
export interface Fixture {
  users: number
  userIds: string[]
  groupIds: string[]
  bigGroupId: string
  /** Users 0..bigGroupMembers-1 are in the big group; later ones are free to be added. */
  bigGroupMembers: number
  /** A time after the load and before the RECENT_CHANGES changes. */
  since: string
  loadSeconds: number
  usersPerSecond: number
}

interface BulkResult {
  status: string
  location?: string
  response?: unknown
}

const idOfLocation = (location: string | undefined) => location?.split('/').at(-1) ?? ''

/**
 * Creates `items` by as few BulkRequests as the server's limits allow (BULK_SIZE operations,
 * BULK_BYTES) and answers the new resources' ids in order; any failed operation throws.
 */
export async function bulkCreate(
  api: ScimClient,
  path: '/Users' | '/Groups',
  items: unknown[],
): Promise<string[]> {
  const ids: string[] = []
  let chunk: unknown[] = []
  let bytes = 0
  for (const item of items) {
    const size = JSON.stringify(item).length + 64
    if (chunk.length === BULK_SIZE || (chunk.length > 0 && bytes + size > BULK_BYTES)) {
      ids.push(...(await bulkRequest(api, path, chunk)))
      chunk = []
      bytes = 0
    }
    chunk.push(item)
    bytes += size
  }
  if (chunk.length > 0) ids.push(...(await bulkRequest(api, path, chunk)))
  return ids
}

/**
 * One BulkRequest creating `items`. When wrangler dev dropped an earlier attempt (the client sends it
 * again), some operations may have committed: an item that attempt created (409 uniqueness) is found
 * by its unique name.
 */
async function bulkRequest(api: ScimClient, path: '/Users' | '/Groups', items: unknown[]): Promise<string[]> {
  const Operations = items.map((data, k) => ({ method: 'POST', path, bulkId: `b${k}`, data }))
  const answer = await api.expect(200, 'POST', '/Bulk', { schemas: [BULK], Operations }, BULK_TIMEOUT_MS)
  const results = (answer.json as { Operations: BulkResult[] }).Operations
  if (results.length !== items.length) throw new Error(`Bulk ${path} answered ${results.length} operations`)
  return Promise.all(results.map((result, k) => idOfResult(api, path, result, items[k])))
}

async function idOfResult(api: ScimClient, path: '/Users' | '/Groups', result: BulkResult, item: unknown) {
  if (result.status === '201') return idOfLocation(result.location)
  const attribute = path === '/Users' ? 'userName' : 'displayName'
  const name = (item as Record<string, string>)[attribute]
  if (result.status === '409' && name !== undefined) {
    const filter = encodeURIComponent(`${attribute} eq "${name}"`)
    const found = await api.expect(200, 'GET', `${path}?filter=${filter}&attributes=id`)
    const id = (found.json as { Resources: { id: string }[] }).Resources[0]?.id
    if (id) return id
  }
  throw new Error(`Bulk ${path} failed: ${JSON.stringify(result).slice(0, 500)}`)
}

async function loadUsers(api: ScimClient, users: number, log: Log): Promise<string[]> {
  const ids: string[] = []
  const started = performance.now()
  let lastReport = 0
  for (let first = 0; first < users; first += BULK_SIZE) {
    const batch = Array.from({ length: Math.min(BULK_SIZE, users - first) }, (_, k) => userOf(first + k))
    ids.push(...(await bulkCreate(api, '/Users', batch)))
    const now = performance.now()
    if (now - lastReport > 5000 || ids.length === users) {
      lastReport = now
      const rate = ids.length / ((now - started) / 1000)
      const eta = (users - ids.length) / rate
      log(
        `  users ${ids.length}/${users}: ${rate.toFixed(0)} users/s${eta > 1 ? `, ~${eta.toFixed(0)} s left` : ''}`,
      )
    }
  }
  return ids
}

async function loadGroups(api: ScimClient, userIds: string[], log: Log): Promise<string[]> {
  const count = Math.max(10, Math.round(userIds.length / 100))
  const groups = Array.from({ length: count }, (_, j) => {
    const members = Array.from({ length: GROUP_SIZE }, (_, m) => ({
      value: userIds[(j * GROUP_SIZE + m) % userIds.length],
    }))
    return { schemas: [GROUP], displayName: groupNameOf(j), externalId: `gext-${j}`, members }
  })
  const ids = await bulkCreate(api, '/Groups', groups)
  log(`  groups ${ids.length}, ${GROUP_SIZE} members each`)
  return ids
}

/** The big group, created empty and filled by PATCH add in chunks, as Entra and Okta grow groups. */
async function loadBigGroup(api: ScimClient, userIds: string[], members: number, log: Log) {
  const created = await api.expect(201, 'POST', '/Groups', { schemas: [GROUP], displayName: BIG_GROUP_NAME })
  const id = (created.json as { id: string }).id
  for (let first = 0; first < members; first += PATCH_CHUNK) {
    const value = userIds.slice(first, Math.min(members, first + PATCH_CHUNK)).map((v) => ({ value: v }))
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value }] }
    await api.expect(204, 'PATCH', `/Groups/${id}`, body, BULK_TIMEOUT_MS)
  }
  log(`  big group: ${members} members added by PATCH in chunks of ${PATCH_CHUNK}`)
  return id
}

/**
 * Loads `users` users, users/100 groups (at least 10) of GROUP_SIZE members, and the big group with
 * min(10,000, users − reserve) members: `reserve` users stay out of it for the PATCH samples to add.
 */
export async function loadDirectory(
  api: ScimClient,
  users: number,
  reserve: number,
  log: Log,
): Promise<Fixture> {
  const started = performance.now()
  const userIds = await loadUsers(api, users, log)
  const usersSeconds = (performance.now() - started) / 1000
  const groupIds = await loadGroups(api, userIds, log)
  const bigGroupMembers = Math.min(BIG_GROUP_SIZE, users - reserve)
  const bigGroupId = await loadBigGroup(api, userIds, bigGroupMembers, log)

  // Same clock as the Worker's (one machine); the pause keeps every loaded row strictly before it.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const since = new Date().toISOString()
  await new Promise((resolve) => setTimeout(resolve, 20))
  for (let k = 0; k < RECENT_CHANGES; k++) {
    const i = users - 1 - k
    const body = {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'displayName', value: `Changed ${i}` }],
    }
    await api.expect(200, 'PATCH', `/Users/${userIds[i]}?attributes=id`, body)
  }
  return {
    users,
    userIds,
    groupIds,
    bigGroupId,
    bigGroupMembers,
    since,
    loadSeconds: (performance.now() - started) / 1000,
    usersPerSecond: users / usersSeconds,
  }
}
