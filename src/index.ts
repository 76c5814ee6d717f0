import { createApp } from './app'
import { queue } from './ops/queue'
import { scheduled } from './ops/scheduled'

const app = createApp()

/** The Worker: SCIM over HTTP (RFC 7644), the cron that re-sends and prunes change events, webhook delivery. */
export default { fetch: app.fetch, scheduled, queue } satisfies ExportedHandler<Env>

/** The directory over Workers RPC for the SaaS application's Worker (README, "Reading the directory"). */
export { Directory } from './directory/directory'
export type * from './directory/types'
