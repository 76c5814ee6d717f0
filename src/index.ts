import { consumeActivity } from './activity/consumer'
import { createApp } from './app'
import { scheduled } from './ops/scheduled'

const app = createApp()

/**
 * The Worker: SCIM over HTTP (RFC 7644), the cron that re-sends and prunes change events, and the
 * consumer of its own activity queue (the only queue it consumes; SCIM_EVENTS is the SaaS app's).
 */
export default { fetch: app.fetch, scheduled, queue: consumeActivity } satisfies ExportedHandler<Env>

/** Deletes a tenant in rounds (DELETE /admin/v1/tenants/{name}). */
export { TenantDeletion } from './deletion/tenant-deletion'
/** The directory over Workers RPC for the SaaS application's Worker (README, "Reading the directory"). */
export { Directory } from './directory/directory'
export type * from './directory/types'
