import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { deletionRouteDefinitions } from '../../src/admin/deletion-routes'
import { eventRouteDefinitions } from '../../src/admin/event-routes'
import { pruneEvents, retentionCutoff } from '../../src/ops/event-retention'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { createGroup, createUser } from '../support/fixtures'
import { issuer, receivedEvents } from '../support/ops-env'

let key: string
const feedDb = (env as Env & { DB_FEED_TEST: D1Database }).DB_FEED_TEST

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

/**
 * `count` outbox rows for `tenant` straight into D1, as the SCIM writes would commit them (a few
 * thousand through SCIM requests would make the test slow, not better), `daysAgo` old.
 */
async function insertEvents(tenant: string, count: number, daysAgo = 0, db: D1Database = env.DB) {
  const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString()
  await db
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
     INSERT INTO scim_events (id, tenant_id, resource_type, resource_id, operation, attributes, version, occurred_at)
     SELECT ?1 || '-' || ?4 || '-' || i, ?1, CASE WHEN i % 10 = 0 THEN 'Group' ELSE 'User' END, 'r' || i,
            CASE WHEN i % 3 = 0 THEN 'patched' ELSE 'created' END, '["displayName"]', 1, ?3 FROM n`,
    )
    .bind(tenant, count, at, crypto.randomUUID().slice(0, 8))
    .run()
}

const feed = (tenant: string, query = '') => admin(`/tenants/${tenant}/events${query}`, { key })

/** Every page after `after` until hasMore is false; the positions of the events read. */
async function readAll(tenant: string, after: string | undefined, limit: number) {
  const events: { position: string; token: { jti: string }; resourceType: string; operation: string }[] = []
  let next = after
  for (let pages = 0; ; pages++) {
    const res = await feed(tenant, `?limit=${limit}${next === undefined ? '' : `&after=${next}`}`)
    if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
    events.push(...res.json.events)
    next = res.json.next
    if (!res.json.hasMore) return { events, next, pages: pages + 1 }
  }
}

describe('management API: the change feed', () => {
  it('pages through thousands of events in order while SCIM writes go on, each exactly once', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const other = await onboard(key)
    await insertEvents(tenant.name, 3000)
    await insertEvents(other.name, 500)
    // Writes through SCIM while the feed is paged: they land after the rows above.
    const writes = Promise.all(
      Array.from({ length: 20 }, (_, i) => createUser(tenant, `concurrent${i}@feed.example`)),
    )
    const first = await readAll(tenant.name, undefined, 250)
    await writes
    const rest = await readAll(tenant.name, first.next, 1000)
    const events = [...first.events, ...rest.events]
    expect(events).toHaveLength(3020)
    const positions = events.map((e) => Number(e.position))
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(new Set(positions).size).toBe(positions.length)
    // The other tenant's events never appear; the SCIM writes' events carry the queue's jti.
    expect(events.some((e) => e.token.jti.startsWith(`${other.name}-`))).toBe(false)
    const queued = await receivedEvents(issuer(tenant), 20)
    const fed = new Set(events.map((e) => e.token.jti))
    expect(queued.every((token) => fed.has(token.jti))).toBe(true)
    expect(first.pages).toBeGreaterThanOrEqual(12)
  })

  it('filters by resource type and operation, and refuses malformed queries with 400', async ({ expect }) => {
    const tenant = await onboard(key)
    const ann = await createUser(tenant, 'ann@feed.example')
    await createGroup(tenant, 'Feeders', [ann.id])
    const groups = await feed(tenant.name, '?resourceType=Group')
    expect(groups.json.events.map((e: { operation: string }) => e.operation)).toEqual([
      'created',
      'membersAdded',
    ])
    const created = await feed(tenant.name, '?operation=created&resourceType=User,Group')
    expect(created.json.events.map((e: { resourceType: string }) => e.resourceType)).toEqual([
      'User',
      'Group',
    ])
    expect(created.json.events[0].token.sub_id.uri).toBe(`/Users/${ann.id}`)
    for (const query of [
      '?resourceType=Role',
      '?operation=created,',
      '?limit=0',
      '?limit=1001',
      '?after=-1',
      '?after=x',
    ]) {
      const res = await feed(tenant.name, query)
      expect(res.status, query).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
    expect((await feed('nobody-here')).status).toBe(404)
  })

  it('answers 410 with oldestPosition for a position older than the retention, then resumes there', async ({
    expect,
  }) => {
    // On a database of its own, where these are the oldest events: pruning walks the outbox by seq.
    const tenant = await onboard(key, undefined, 'DB_FEED_TEST')
    await insertEvents(tenant.name, 5, 40, feedDb)
    const before = await feed(tenant.name)
    expect(before.json.events).toHaveLength(5)
    await createUser(tenant, 'young@feed.example')
    // The cron's pruning (40-day-old events are past EVENT_RETENTION_DAYS = 30).
    await pruneEvents(feedDb.withSession('first-primary'), retentionCutoff(env, new Date()), true, 50)
    const expired = await feed(tenant.name, '?after=0')
    expect(expired.status).toBe(410)
    expect(expired.headers.get('content-type')).toBe('application/problem+json')
    const oldest = expired.json.oldestPosition
    expect(oldest).toBe(before.json.events[4].position)
    expect(expired.json.detail).toContain(`complete from position ${oldest}`)
    const resumed = await feed(tenant.name, `?after=${oldest}`)
    expect(resumed.status).toBe(200)
    expect(resumed.json.events.map((e: { operation: string }) => e.operation)).toEqual(['created'])
    // Without a position, the feed starts at the oldest event still retained.
    const jtis = (page: { json: { events: { token: { jti: string } }[] } }) =>
      page.json.events.map((e) => e.token.jti)
    expect(jtis(await feed(tenant.name))).toEqual(jtis(resumed))
  })

  it('is in the OpenAPI document with its examples', async ({ expect }) => {
    const doc = await admin('/openapi.json', { key: null })
    const op = doc.json.paths['/tenants/{name}/events'].get
    expect(op.responses['200'].content['application/json'].example.events[0].token.jti).toBeTypeOf('string')
    expect(op.responses['410'].content['application/problem+json'].example.oldestPosition).toBe('4211')
    expect(doc.json.paths['/tenants/{name}'].delete.responses['202']).toBeDefined()
    expect(doc.json.paths['/deletions/{id}'].get.responses['200']).toBeDefined()
    // Every example of these operations is valid against its own schema.
    for (const route of [...eventRouteDefinitions, ...deletionRouteDefinitions]) {
      for (const [status, answer] of Object.entries(route.responses)) {
        for (const media of Object.values((answer as { content?: Record<string, unknown> }).content ?? {})) {
          const { schema, example } = media as {
            schema: { safeParse(v: unknown): { success: boolean } }
            example: unknown
          }
          expect(schema.safeParse(example).success, `${route.method} ${route.path} ${status}`).toBe(true)
        }
      }
    }
  })
})
