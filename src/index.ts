import { createApp } from './app'
import { queue } from './ops/queue'
import { scheduled } from './ops/scheduled'

const app = createApp()

/**
 * The Worker: SCIM over HTTP (RFC 7644), the cron that re-sends and prunes change events, and the
 * consumer of its own queues (the activity log, webhook delivery and its dead letters; SCIM_EVENTS is
 * the SaaS application's).
 */
export default { fetch: app.fetch, scheduled, queue } satisfies ExportedHandler<Env>

/** Deletes a tenant in rounds (DELETE /admin/v1/tenants/{name}). */
export { TenantDeletion } from './deletion/tenant-deletion'
/** The directory over Workers RPC for the SaaS application's Worker (README, "Reading the directory"). */
export { Directory } from './directory/directory'
export type * from './directory/types'
