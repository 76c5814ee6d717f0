import type { MiddlewareHandler } from 'hono'
import { getPath } from 'hono/utils/url'
import { openDatabase } from '../db/database'
import { countRoundTrips } from '../db/round-trips'
import type { AppEnv } from '../env'
import { ScimError } from '../http/scim-error'
import { limitsOf } from '../limits'
import { d1Binding, primarySession } from '../ops/d1-bindings'
import { enforceRateLimit } from '../ops/rate-limit'
import { tenantFromHost } from './host'
import { hostOf, localTenantPath } from './local-tenant-path'
import { cachedTenantRecord, isCachedTenant, KV_CACHE_TTL_SECONDS } from './tenant-cache'
import { type TenantRecord, tenantKey, tenantRecordSchema, tokenIsLive } from './tenant-record'
import { registryOf } from './tenant-registry'
import { digestsEqual, hashToken, TOKEN_PATTERN } from './token'

const UNAUTHORIZED = 'Authentication failed: a valid bearer token for this tenant is required'
// Compared against when the tenant does not exist, so that answer takes as long as a wrong token.
const ABSENT_HASH = '0'.repeat(64)

// `deleting`: DELETE /admin/v1/tenants/{name} began (src/deletion/); its rows are going.
const STATUS_DETAIL: Record<string, string> = {
  suspended: 'This tenant is suspended',
  deleting: 'This tenant is being deleted',
}

const unauthorized = (detail = UNAUTHORIZED) => new ScimError(401, detail)

/** `Bearer <token>` with exactly one well-formed token, or undefined. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '')
  return match?.[1] && TOKEN_PATTERN.test(match[1]) ? match[1] : undefined
}

/** The tenant's record from KV (edge-cached), or undefined; a KV failure is a 503. */
export async function readTenantRecord(kv: KVNamespace, name: string): Promise<TenantRecord | undefined> {
  let raw: unknown
  try {
    raw = await kv.get(tenantKey(name), { type: 'json', cacheTtl: KV_CACHE_TTL_SECONDS })
  } catch {
    throw new ScimError(503, 'The token store is temporarily unavailable; retry later', undefined, {
      'Retry-After': '5',
    })
  }
  if (raw === null) return undefined
  const parsed = tenantRecordSchema.safeParse(raw)
  if (!parsed.success) throw new Error(`Tenant record ${name} does not match its schema`)
  return parsed.data
}

/** The id of the live token of `record` whose hash equals `hash`; every token is compared. */
function matchToken(record: TenantRecord | undefined, hash: string, now: Date): string | undefined {
  let matched: string | undefined
  for (const token of record?.tokens ?? []) {
    if (digestsEqual(token.hash, hash) && tokenIsLive(token, now)) matched = token.id
  }
  if (!record) digestsEqual(ABSENT_HASH, hash)
  return matched
}

/**
 * Resolves the tenant from the Host header, authenticates its bearer token against the hashes in
 * its KV record (one KV read, unless this isolate read it within ISOLATE_CACHE_SECONDS), and opens
 * its database. Hono's bearer-auth is not used: it
 * answers 400 in plain text for malformed tokens where SCIM clients expect a 401 SCIM error.
 */
export const tenancy: MiddlewareHandler<AppEnv> = async function tenancy(c, next) {
  const host = hostOf(c.req.raw)
  const local = localTenantPath(getPath(c.req.raw), host, c.env)
  const name =
    tenantFromHost(host, c.env.BASE_DOMAIN, c.env.ALLOW_LOCALHOST_TENANTS === 'true') ?? local?.tenant
  if (!name) throw ScimError.notFound('No SCIM tenant is served at this host')

  const token = bearerToken(c.req.header('authorization'))
  if (!token) {
    // The tenant's activity log shows the refusal (a token pasted as "Bearer scimsk_…" into a field
    // that adds "Bearer" itself is the commonest setup mistake) when this isolate already knows the
    // tenant; a malformed token never costs a KV read, so a flood of them cannot run up KV reads.
    if (isCachedTenant(name)) c.set('tenantName', name)
    throw unauthorized()
  }
  const hash = await hashToken(token)
  const now = new Date()
  const record = await cachedTenantRecord(
    name,
    () => readTenantRecord(c.env.TENANTS, name),
    (cached) => matchToken(cached, hash, now) !== undefined,
  )
  const tokenId = matchToken(record, hash, now)
  if (record) c.set('tenantName', name)
  if (!record || !tokenId) throw unauthorized()
  if (record.status !== 'active')
    throw unauthorized(STATUS_DETAIL[record.status] ?? 'This tenant is not active')

  // An operator's error (a record written before the binding was deployed, or naming another
  // binding): a logged 500, since retrying cannot help.
  const binding = d1Binding(c.env, record.db)
  if (!binding)
    throw new Error(
      `Tenant ${name} names ${record.db}, which is not a D1 database binding of this deployment`,
    )
  const d1 = countRoundTrips(primarySession(binding), c.var.d1)
  const db = openDatabase(d1)
  c.set('tenant', {
    name,
    record,
    tokenId,
    db,
    d1,
    registry: await registryOf(record),
    baseUrl: `${new URL(c.req.url).origin}${local?.prefix ?? ''}/scim/v2`,
    limits: limitsOf(c.env),
    writtenEvents: [],
  })
  // After authentication, so requests with a wrong token cannot spend a tenant's budget; after
  // the tenant is set, so the request log names it on a 429.
  await enforceRateLimit(c, name)
  await next()
}
