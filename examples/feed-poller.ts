/**
 * A SaaS application reading a tenant's change feed with the TypeScript client: from the position
 * it saved last time (a file here, a database row in a real application), every event once and in
 * commit order, each printed as a JSON line on stdout; the position is saved after each event.
 *
 *   OPERATOR_KEY=scimop_… npx tsx examples/feed-poller.ts <tenant> [--once]
 *
 * EDGE_SCIM_ADMIN_URL (default http://localhost:8787/admin/v1) is the management API; FEED_STATE
 * (default .feed-position-<tenant>) the file holding the position. Without --once it follows the
 * head, polling every 2 s, until Ctrl-C.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { FeedPositionExpiredError, ManagementClient } from '../src/client/edge-scim-client'

const [tenant] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
const once = process.argv.includes('--once')
const operatorKey = process.env.OPERATOR_KEY
if (!tenant || !operatorKey) {
  process.stderr.write('Usage: OPERATOR_KEY=scimop_… npx tsx examples/feed-poller.ts <tenant> [--once]\n')
  process.exit(1)
}
const client = new ManagementClient(
  process.env.EDGE_SCIM_ADMIN_URL ?? 'http://localhost:8787/admin/v1',
  operatorKey,
)
const stateFile = process.env.FEED_STATE ?? `.feed-position-${tenant}`
const saved = existsSync(stateFile) ? readFileSync(stateFile, 'utf8').trim() : undefined
const save = (position: string | undefined) => position !== undefined && writeFileSync(stateFile, position)

const stop = new AbortController()
process.once('SIGINT', () => stop.abort())
const reader = client.feed(tenant, {
  after: saved || undefined,
  ...(!once && { follow: { intervalMs: 2000, signal: stop.signal } }),
})
process.stderr.write(`Reading the change feed of ${tenant} after ${saved || 'the oldest retained event'}\n`)
try {
  for await (const event of reader) {
    const { position, operation, resourceType, resourceId, token } = event
    process.stdout.write(
      `${JSON.stringify({ position, operation, resourceType, resourceId, jti: token.jti })}\n`,
    )
    save(position)
  }
  save(reader.position)
} catch (error) {
  if (!(error instanceof FeedPositionExpiredError)) throw error
  // The events after our position were pruned: list users and groups again, then go on from there.
  process.stderr.write(`${error.message}\nResynchronise, then resume after ${error.oldestPosition}.\n`)
  process.exitCode = 2
}
