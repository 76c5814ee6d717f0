import { openDatabase } from '../db/database'
import { countRoundTrips, newRoundTripStats, type RoundTripStats } from '../db/round-trips'
import type { TenantReader } from '../env'
import { limitsOf } from '../limits'
import { d1Binding } from '../ops/d1-bindings'
import { issuerOf } from '../ops/event-delivery'
import { readTenantRecord } from '../tenancy/tenancy'
import { TENANT_NAME_PATTERN } from '../tenancy/tenant-record'
import { registryOf } from '../tenancy/tenant-registry'
import { directoryError, tenantNotFound } from './directory-error'
import type { DirectoryProps, ReadOptions } from './types'

/** A tenant opened for reading: what the SCIM read functions take, and the session for its bookmark. */
export interface DirectoryTenant {
  readonly reader: TenantReader
  readonly session: D1DatabaseSession
}

/** Whether the binding's props let it read `tenant`; props that are missing or malformed allow nothing. */
function allows(props: DirectoryProps | undefined, tenant: string): boolean {
  const tenants = props?.tenants
  return tenants === '*' || (Array.isArray(tenants) && tenants.includes(tenant))
}

/**
 * The session a read opens: at least as new as the caller's bookmark, else any replica. The
 * identity provider's path keeps `first-primary` (src/ops/d1-bindings.ts); an application reacting
 * to an event passes the event's `d1_bookmark` to read at least the state it announced.
 */
function sessionOf(binding: D1Database, options: ReadOptions | undefined): D1DatabaseSession {
  const bookmark = options?.bookmark
  if (bookmark !== undefined && (typeof bookmark !== 'string' || bookmark === '')) {
    throw directoryError('invalidArgument', '"bookmark" must be a D1 bookmark string')
  }
  try {
    return binding.withSession(bookmark ?? 'first-unconstrained')
  } catch (error) {
    throw directoryError('invalidArgument', `"bookmark" is not a D1 bookmark: ${String(error)}`)
  }
}

/**
 * Opens `tenant` for a Directory call: the binding's props must name it (checked before anything is
 * read), and its KV record must exist and be active. Every other case — not in the props, absent,
 * suspended — fails the same way, so a binding learns nothing about tenants it may not read.
 */
export async function openTenant(
  env: Env,
  props: DirectoryProps | undefined,
  tenant: unknown,
  options: ReadOptions | undefined,
  stats: RoundTripStats = newRoundTripStats(),
): Promise<DirectoryTenant> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw directoryError('invalidArgument', 'The options must be an object')
  }
  if (typeof tenant !== 'string') throw directoryError('invalidArgument', 'The tenant must be a string')
  if (!TENANT_NAME_PATTERN.test(tenant) || !allows(props, tenant)) throw tenantNotFound(tenant)
  const record = await readTenantRecord(env.TENANTS, tenant)
  if (record?.status !== 'active') throw tenantNotFound(tenant)
  const binding = d1Binding(env, record.db)
  if (!binding) throw new Error(`Tenant ${tenant} names D1 binding ${record.db}, which this deployment lacks`)
  const session = sessionOf(binding, options)
  const d1 = countRoundTrips(session as unknown as D1Database, stats)
  return {
    reader: {
      name: tenant,
      db: openDatabase(d1),
      d1,
      registry: await registryOf(record),
      baseUrl: issuerOf(env, tenant),
      limits: limitsOf(env),
    },
    session: d1 as unknown as D1DatabaseSession,
  }
}
