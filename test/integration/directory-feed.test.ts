import { describe, it } from 'vitest'
import { pruneEvents } from '../../src/ops/event-retention'
import { directoryThrough, failureOf } from '../support/directory'
import { createGroup, createUser, patchOp } from '../support/fixtures'
import { issuer, opsEnv, receivedEvents } from '../support/ops-env'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const directory = directoryThrough('DIRECTORY_ALL')
const feedDb = (opsEnv as unknown as { DB_FEED_TEST: D1Database }).DB_FEED_TEST

/** A bookmark of the primary's current state. */
async function bookmarkNow(): Promise<string> {
  const session = opsEnv.DB.withSession('first-primary')
  await session.prepare('SELECT 1').first()
  return session.getBookmark() ?? ''
}

describe('Directory.changes: the change feed', () => {
  it('reads the events in commit order, with the jti and bookmark the queue carries', async ({ expect }) => {
    const tenant = await createTenant()
    const before = await bookmarkNow()
    const ann = await createUser(tenant, 'ann@feed.example')
    const group = await createGroup(tenant, 'Feeders', [ann.id])
    await scim(tenant, `/Users/${ann.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'active', value: false }),
    })
    const page = await directory.changes(tenant.name)
    expect(page.events.map((e) => [e.resourceType, e.operation])).toEqual([
      ['User', 'created'],
      ['Group', 'created'],
      ['Group', 'membersAdded'],
      ['User', 'deactivated'],
    ])
    const positions = page.events.map((e) => Number(e.position))
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(page).toMatchObject({ hasMore: false, next: page.events.at(-1)?.position })
    expect(page.events[2]?.token.sub_id.uri).toBe(`/Groups/${group.id}`)

    const queued = await receivedEvents(issuer(tenant), 4)
    expect(queued.map((t) => t.jti).sort()).toEqual(page.events.map((e) => e.token.jti).sort())
    // Each queued SET and each feed event carries a bookmark; Directory reads at it.
    for (const token of [...queued, ...page.events.map((e) => e.token)]) {
      expect(token.d1_bookmark).toMatch(/^[0-9a-f-]+$/)
    }
    expect(page.events.every((e) => e.token.d1_bookmark === page.bookmark)).toBe(true)
    // The local runtime's bookmarks grow with each commit: each event's is past the state before the writes.
    expect(queued.every((token) => (token.d1_bookmark ?? '') > before)).toBe(true)
    const read = await directory.getUser(tenant.name, ann.id, { bookmark: queued[0]?.d1_bookmark })
    expect(read).toMatchObject({ id: ann.id, active: false })
  })

  it('pages with limit and after, filters by resource type and operation, and waits at the end', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const users = []
    for (const name of ['a', 'b', 'c']) users.push(await createUser(tenant, `${name}@feed.example`))
    await createGroup(tenant, 'G', [])
    const first = await directory.changes(tenant.name, { limit: 2 })
    expect(first.events.map((e) => e.resourceId)).toEqual([users[0]?.id, users[1]?.id])
    expect(first.hasMore).toBe(true)
    const second = await directory.changes(tenant.name, { after: first.next, limit: 2 })
    expect(second.events.map((e) => e.resourceType)).toEqual(['User', 'Group'])
    const end = await directory.changes(tenant.name, { after: second.next })
    expect(end).toMatchObject({ events: [], hasMore: false })
    const groupsOnly = await directory.changes(tenant.name, { resourceTypes: ['Group'] })
    expect(groupsOnly.events.map((e) => e.operation)).toEqual(['created'])
    const none = await directory.changes(tenant.name, { operations: ['deleted'] })
    expect(none.events).toEqual([])
    // The position moved past what the filter skipped: nothing is read twice.
    expect(Number(none.next)).toBeGreaterThanOrEqual(Number(second.next))

    const later = await createUser(tenant, 'later@feed.example')
    const resumed = await directory.changes(tenant.name, { after: end.next })
    expect(resumed.events.map((e) => e.resourceId)).toEqual([later.id])
  })

  it('refuses malformed queries and bookmarks with their code', async ({ expect }) => {
    const tenant = await createTenant()
    for (const options of [
      { after: 'abc' },
      { after: '-1' },
      { after: '1e3' },
      { limit: 0 },
      { limit: 1001 },
      { limit: 1.5 },
      { resourceTypes: ['Users'] },
      { operations: [] },
      { operations: ['updated'] },
    ]) {
      expect(
        (await failureOf(directory.changes(tenant.name, options as never))).code,
        JSON.stringify(options),
      ).toBe('invalidFeedQuery')
    }
    expect((await failureOf(directory.getUser(tenant.name, 'x', { bookmark: 42 as never }))).code).toBe(
      'invalidArgument',
    )
    expect((await failureOf(directory.getUser(tenant.name, 'x', { bookmark: '' }))).code).toBe(
      'invalidArgument',
    )
    // A Sessions API constraint is accepted in a bookmark's place: the application may ask for the primary.
    expect(await directory.getUser(tenant.name, 'x', { bookmark: 'first-primary' })).toBeNull()
  })
})

describe('Directory.changes after the retention pruned events', () => {
  const OLD = '2020-01-01T00:00:00.000Z'

  it('names the oldest available position instead of skipping the pruned events', async ({ expect }) => {
    // On a database of its own, so the pruning below touches no other test's events.
    const tenant = await createTenant({ db: 'DB_FEED_TEST' })
    await feedDb
      .prepare(
        `INSERT INTO scim_events (id, tenant_id, resource_type, resource_id, operation, version, occurred_at, delivered_at)
         VALUES (?1, ?2, 'User', 'u-1', 'created', 1, ?3, ?3), (?4, ?2, 'User', 'u-2', 'created', 1, ?3, ?3)`,
      )
      .bind(crypto.randomUUID(), tenant.name, OLD, crypto.randomUUID())
      .run()
    const young = await createUser(tenant, 'young@feed.example')
    const before = await directory.changes(tenant.name)
    expect(before.events.map((e) => e.resourceId)).toEqual(['u-1', 'u-2', young.id])
    const [first, second] = before.events.map((e) => e.position)

    expect(await pruneEvents(feedDb, '2021-01-01T00:00:00.000Z', false, 50)).toBe(2)

    const expired = await failureOf(directory.changes(tenant.name, { after: first }))
    expect(expired).toMatchObject({ code: 'positionExpired', oldestPosition: second })
    const resumed = await directory.changes(tenant.name, { after: expired.oldestPosition })
    expect(resumed.events.map((e) => e.resourceId)).toEqual([young.id])
    // Without a position the feed starts at the oldest event retained.
    expect((await directory.changes(tenant.name)).events.map((e) => e.resourceId)).toEqual([young.id])
    // The position "0" is a position: a reader that saw nothing before the pruning lost events too.
    expect((await failureOf(directory.changes(tenant.name, { after: '0' }))).code).toBe('positionExpired')
  })
})
