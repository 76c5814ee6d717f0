import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import {
  type FeedEvent,
  FeedPositionExpiredError,
  ManagementApiError,
  ManagementClient,
} from '../../src/client/edge-scim-client'
import { newOperatorKey, onboard } from '../support/admin-client'
import { createGroup, createUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'

/** The TypeScript client paging the change feed of the real Worker (src/client/feed-reader.ts). */

let client: ManagementClient
beforeAll(async () => {
  const { key } = await newOperatorKey('client-feed')
  client = new ManagementClient('https://scim.example.com/admin/v1', key, (input, init) =>
    exports.default.fetch(input, init),
  )
})

async function collect(events: AsyncIterable<FeedEvent>, max = Number.POSITIVE_INFINITY) {
  const seen: FeedEvent[] = []
  for await (const event of events) {
    seen.push(event)
    if (seen.length >= max) break
  }
  return seen
}

describe('the client reads the change feed', () => {
  it('iterates every event once across pages and resumes from the position it kept', async ({ expect }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    const users = []
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      users.push(await createUser(tenant, `${name}@client.example`))
    const reader = client.feed(tenant.name, { limit: 2 })
    const first = await collect(reader)
    expect(first.map((e) => e.resourceId)).toEqual(users.map((u) => u.id))
    expect(first.every((e) => e.operation === 'created' && e.token.jti.length > 0)).toBe(true)
    const kept = reader.position
    expect(Number(kept)).toBeGreaterThanOrEqual(Number(first.at(-1)?.position))

    // Nothing new: a reader from the kept position ends at once; then two more changes arrive.
    expect(await collect(client.feed(tenant.name, { after: kept }))).toEqual([])
    await scim(tenant, `/Users/${users[0]?.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'active', value: false }),
    })
    const group = await createGroup(tenant, 'Late', [])
    const resumed = await collect(client.feed(tenant.name, { after: kept, limit: 1 }))
    expect(resumed.map((e) => [e.operation, e.resourceId])).toEqual([
      ['deactivated', users[0]?.id],
      ['created', group.id],
    ])
  })

  it('delivers again the event whose handling was interrupted (at least once)', async ({ expect }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    for (const name of ['a', 'b', 'c']) await createUser(tenant, `${name}@again.example`)
    const reader = client.feed(tenant.name, { limit: 10 })
    const [one, two] = await collect(reader, 2)
    // The loop stopped while handling the second: the position is past the first only.
    expect(reader.position).toBe(one?.position)
    const rest = await collect(client.feed(tenant.name, { after: reader.position }))
    expect(rest.map((e) => e.token.jti)).toEqual([two?.token.jti, expect.any(String)])
  })

  it('filters by resource type and operation, typed as the API answers', async ({ expect }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    const ann = await createUser(tenant, 'ann@filter.example')
    await createGroup(tenant, 'Ops', [ann.id])
    const page = await client.feedPage(tenant.name, {
      resourceTypes: ['Group'],
      operations: ['membersAdded'],
    })
    expect(page.events.map((e) => [e.resourceType, e.operation])).toEqual([['Group', 'membersAdded']])
    expect(page.hasMore).toBe(false)
    await expect(client.feedPage(tenant.name, { after: 'x' })).rejects.toMatchObject({ status: 400 })
    const missing = await client.feedPage('no-such-tenant').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ManagementApiError)
    expect(missing).not.toBeInstanceOf(FeedPositionExpiredError)
  })

  it('rejects a pruned position with FeedPositionExpiredError naming where to resume', async ({ expect }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    const old = await createUser(tenant, 'old@expired.example')
    const page = await client.feedPage(tenant.name)
    const oldest = page.events[0]?.position as string
    // What the cron's pruning leaves behind (test/integration/admin-events.test.ts prunes for real):
    // the tenant's horizon past the removed events.
    await env.DB.prepare('INSERT INTO scim_event_horizons (tenant_id, pruned_through) VALUES (?, ?)')
      .bind(tenant.name, Number(oldest))
      .run()
    await env.DB.prepare('DELETE FROM scim_events WHERE tenant_id = ? AND resource_id = ?')
      .bind(tenant.name, old.id)
      .run()
    const young = await createUser(tenant, 'young@expired.example')
    const error = await collect(client.feed(tenant.name, { after: '0' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FeedPositionExpiredError)
    expect(error).toMatchObject({ status: 410, oldestPosition: oldest, name: 'FeedPositionExpiredError' })
    expect((error as Error).message).toContain(`complete from position ${oldest}`)
    const after = await collect(
      client.feed(tenant.name, { after: (error as FeedPositionExpiredError).oldestPosition }),
    )
    expect(after.map((e) => e.resourceId)).toEqual([young.id])
  })

  it('follows the head, polling until its signal aborts', async ({ expect }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    const head = (await client.feedPage(tenant.name)).next
    const stop = new AbortController()
    const reader = client.feed(tenant.name, { after: head, follow: { intervalMs: 50, signal: stop.signal } })
    const following = (async () => {
      const seen: FeedEvent[] = []
      for await (const event of reader) {
        seen.push(event)
        stop.abort()
      }
      return seen
    })()
    await new Promise((resolve) => setTimeout(resolve, 200))
    const user = await createUser(tenant, 'later@follow.example')
    const seen = await following
    expect(seen.map((e) => e.resourceId)).toEqual([user.id])
    expect(Number(reader.position)).toBeGreaterThanOrEqual(Number(seen[0]?.position))
  })
})
