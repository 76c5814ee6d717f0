import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { createApp } from '../../src/app'
import worker from '../../src/index'
import { RESEND_AFTER_MS } from '../../src/ops/scheduled'
import { createGroup, createUser, oktaUser } from '../support/fixtures'
import { issuer, opsEnv, receivedEvents } from '../support/ops-env'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const TABLES = ['users', 'user_emails', 'groups', 'group_members', 'scim_events'] as const

/** How many rows of `tenant` each table of `db` holds. */
async function rowsOf(db: D1Database, tenant: string) {
  const counts = await db.batch<{ n: number }>(
    TABLES.map((table) => db.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).bind(tenant)),
  )
  return Object.fromEntries(TABLES.map((table, i) => [table, counts[i]?.results[0]?.n ?? 0]))
}

const none = Object.fromEntries(TABLES.map((table) => [table, 0]))

describe('tenants on their own database (scale-out)', () => {
  it("writes and reads a DB_2 tenant's rows on DB_2 only, in the same round trips", async ({ expect }) => {
    const big = await createTenant({ db: 'DB_2' })
    const res = await scim(big, '/Users', { body: oktaUser('ann@example.com') })
    expect(res.status).toBe(201)
    expect(roundTrips(res.headers)).toBe(1)
    await createGroup(big, 'Everyone', [res.json.id])
    expect((await scim(big, `/Users/${res.json.id}`)).status).toBe(200)

    expect(await rowsOf(env.DB_2, big.name)).toEqual({
      users: 1,
      user_emails: 1,
      groups: 1,
      group_members: 1,
      scim_events: 3,
    })
    expect(await rowsOf(env.DB, big.name)).toEqual(none)
  })

  it('keeps tenants on DB and DB_2 apart: same names, no cross reads', async ({ expect }) => {
    const [small, big] = [await createTenant(), await createTenant({ db: 'DB_2' })]
    const mine = await createUser(small, 'same@example.com')
    const theirs = await createUser(big, 'same@example.com')

    expect((await scim(big, `/Users/${mine.id}`)).status).toBe(404)
    expect((await scim(small, `/Users/${theirs.id}`)).status).toBe(404)
    const listed = await scim(big, '/Users?filter=userName%20eq%20%22same@example.com%22')
    expect(listed.json.Resources.map((user: { id: string }) => user.id)).toEqual([theirs.id])
    expect(await rowsOf(env.DB_2, small.name)).toEqual(none)
    expect(await rowsOf(env.DB, big.name)).toEqual(none)
  })

  it("delivers a DB_2 tenant's change events, and the cron re-sends from every D1 binding", async ({
    expect,
  }) => {
    const big = await createTenant({ db: 'DB_2' })
    await createUser(big, 'now@example.com')
    expect(await receivedEvents(issuer(big), 1)).toHaveLength(1)

    // A change made while the deployment had no queue (neither events nor webhooks): only the cron can deliver it.
    const ctx = createExecutionContext()
    const created = await createApp().fetch(
      new Request(`${big.baseUrl}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${big.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(oktaUser('later@example.com')),
      }),
      { ...opsEnv, SCIM_EVENTS: undefined, SCIM_WEBHOOKS: undefined, SCIM_ACTIVITY: undefined },
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(created.status).toBe(201)

    // The deployment's own bindings: DB_EVENTS_TEST belongs to the retention tests. Run once the
    // event is old enough for the cron to take it from the request that wrote it.
    const scheduledTime = new Date(Date.now() + RESEND_AFTER_MS + 1000)
    await worker.scheduled(createScheduledController({ scheduledTime }), {
      ...opsEnv,
      DB_EVENTS_TEST: undefined,
    } as unknown as Env)
    const events = await receivedEvents(issuer(big), 2)
    expect(events.map((event) => event.sub_id.uri)).toContain(
      `/Users/${(await created.json<{ id: string }>()).id}`,
    )
  })
})
