import type { Database } from './db/database'
import type { RoundTripStats } from './db/round-trips'
import type { Limits } from './limits'
import type { SchemaRegistry } from './schema/registry'
import type { TenantRecord } from './tenancy/tenant-record'

export type { Database }

/** What the tenancy middleware resolved for this request. */
export interface Tenant {
  readonly name: string
  readonly record: TenantRecord
  /** The token that authenticated the request, recorded with every change. */
  readonly tokenId: string
  readonly db: Database
  /** The tenant's D1 binding (round trips counted), on which batches run. */
  readonly d1: D1Database
  /** The built-in schemas plus this tenant's extensions. */
  readonly registry: SchemaRegistry
  /** `https://<tenant>.<BASE_DOMAIN>/scim/v2`: the base of every `Location` and `meta.location`. */
  readonly baseUrl: string
  /** The cost model's bounds (README "Limits"), from the Worker's vars. */
  readonly limits: Limits
  /**
   * The outbox rows this request's committed batches inserted (returned by them), which the
   * delivery after the answer sends without reading them back (src/ops/deliver-after-write.ts).
   */
  readonly writtenEvents: Record<string, unknown>[]
}

/** What a read needs of a tenant: the SCIM routes pass their Tenant, Directory (RPC) its own. */
export type TenantReader = Pick<Tenant, 'name' | 'db' | 'd1' | 'registry' | 'baseUrl' | 'limits'>

export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    tenant: Tenant
    d1: RoundTripStats
    /** The SCIM error type of the answer, for the request log. */
    scimType?: string
    /** The SCIM error's detail, for the activity log (src/activity/). */
    scimDetail?: string
    /** The tenant named by the host when its record exists, authenticated or not (the activity log's 401s). */
    tenantName?: string
  }
}
