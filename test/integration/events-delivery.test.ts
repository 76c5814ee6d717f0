import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { describe, it } from 'vitest'
import { createApp } from '../../src/app'
import worker from '../../src/index'
import { pruneEvents } from '../../src/ops/event-retention'
import { RESEND_AFTER_MS } from '../../src/ops/scheduled'
import { createGroup, createUser, oktaUser, patchOp } from '../support/fixtures'
import { issuer, opsEnv, receivedEvents } from '../support/ops-env'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

const PROV = 'urn:ietf:params:scim:event:prov:'
const app = createApp()
// Tenants of the cron tests live on DB_EVENTS_TEST, and the cron sees only that database.
const eventsDbOnly = { ...opsEnv, DB: undefined, DB_2: undefined } as unknown as Env

/** A write through the Worker's app on a deployment without the SCIM_EVENTS queue. */
async function writeWithoutQueue(tenant: TestTenant, path: string, body: unknown) {
  const ctx = createExecutionContext()
  const res = await app.fetch(
    new Request(`${tenant.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    }),
    { ...opsEnv, SCIM_EVENTS: undefined, SCIM_WEBHOOKS: undefined },
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return res
}

async function runCron(env: Env, scheduledTime = new Date()) {
  await worker.scheduled(createScheduledController({ scheduledTime }), env)
}

async function outbox(db: D1Database, tenant: string) {
  const { results } = await db
    .prepare(
      'SELECT id, operation, delivered_at AS deliveredAt FROM scim_events WHERE tenant_id = ? ORDER BY seq',
    )
    .bind(tenant)
    .all<{ id: string; operation: string; deliveredAt: string | null }>()
  return results
}

/** The outbox once every row is marked delivered (the mark follows the send). */
async function deliveredOutbox(db: D1Database, tenant: string) {
  for (let i = 0; i < 200; i++) {
    const rows = await outbox(db, tenant)
    if (rows.every((row) => row.deliveredAt !== null)) return rows
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`events of ${tenant} not marked delivered`)
}

describe('change events delivered to the queue (RFC 9967)', () => {
  it('sends a create after the commit as a SET payload and marks the row delivered', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users', { body: oktaUser('set@example.com') })
    expect(res.status).toBe(201)
    // Delivery runs after the response (waitUntil): the create is still one round trip.
    expect(roundTrips(res.headers)).toBe(1)

    const [event] = await receivedEvents(issuer(tenant), 1)
    const [row] = await deliveredOutbox(opsEnv.DB, tenant.name)
    expect(event).toEqual({
      jti: row!.id,
      iss: `https://${tenant.name}.scim.example.com/scim/v2`,
      iat: expect.any(Number),
      toe: Math.floor(Date.parse(res.json.meta.created) / 1000),
      sub_id: { format: 'scim', uri: `/Users/${res.json.id}` },
      events: {
        [`${PROV}create:notice`]: {
          attributes: expect.arrayContaining(['userName', 'name', 'emails', 'active']),
          version: 'W/"1"',
        },
      },
      // Read after the commit on the primary: a bookmark at least as new as the change.
      d1_bookmark: expect.any(String),
    })
    expect(event!.events[`${PROV}create:notice`]!.attributes).not.toContain('password')
  })

  it('sends membership deltas as the PATCH that applies them, deactivation and deletes', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [ann, bob] = [
      await createUser(tenant, 'ann@example.com'),
      await createUser(tenant, 'bob@example.com'),
    ]
    const group = await createGroup(tenant, 'Engineering', [ann.id, bob.id])
    await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'remove', path: `members[value eq "${bob.id}"]` }),
    })
    await scim(tenant, `/Users/${ann.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'active', value: false }),
    })
    await scim(tenant, `/Users/${bob.id}`, { method: 'DELETE' })

    const rows = await deliveredOutbox(opsEnv.DB, tenant.name)
    const events = await receivedEvents(issuer(tenant), rows.length)
    const byJti = new Map(events.map((event) => [event.jti, event]))
    const sent = rows.map((row) => byJti.get(row.id))
    expect(sent.map((event) => [event?.sub_id.uri, event?.events])).toEqual([
      [`/Users/${ann.id}`, { [`${PROV}create:notice`]: expect.any(Object) }],
      [`/Users/${bob.id}`, { [`${PROV}create:notice`]: expect.any(Object) }],
      [`/Groups/${group.id}`, { [`${PROV}create:notice`]: expect.any(Object) }],
      [
        `/Groups/${group.id}`,
        {
          [`${PROV}patch:full`]: {
            version: 'W/"1"',
            data: {
              schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
              Operations: [
                {
                  op: 'add',
                  path: 'members',
                  value: expect.arrayContaining([{ value: ann.id }, { value: bob.id }]),
                },
              ],
            },
          },
        },
      ],
      [
        `/Groups/${group.id}`,
        {
          [`${PROV}patch:full`]: {
            version: 'W/"2"',
            data: {
              schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
              Operations: [{ op: 'remove', path: `members[value eq "${bob.id}"]` }],
            },
          },
        },
      ],
      // Engineering was bob's only group: a notice that his computed `groups` changed, in the same commit.
      [`/Users/${bob.id}`, { [`${PROV}patch:notice`]: { attributes: ['groups'] } }],
      [`/Users/${ann.id}`, { [`${PROV}deactivate`]: { attributes: ['active'], version: 'W/"2"' } }],
      [`/Users/${bob.id}`, { [`${PROV}delete`]: {} }],
    ])
  })

  it('keeps events as undelivered rows without a queue; the cron re-sends them once they are not young', async ({
    expect,
  }) => {
    const tenant = await createTenant({ db: 'DB_EVENTS_TEST' })
    expect((await writeWithoutQueue(tenant, '/Users', oktaUser('later@example.com'))).status).toBe(201)
    expect(await outbox(opsEnv.DB_EVENTS_TEST, tenant.name)).toEqual([
      { id: expect.any(String), operation: 'created', deliveredAt: null },
    ])
    expect((await opsEnv.EVENT_SINK.list({ prefix: `${issuer(tenant)} ` })).keys).toEqual([])

    // A young event may still be on its way from the request that wrote it: the cron leaves it.
    await runCron(eventsDbOnly)
    expect((await outbox(opsEnv.DB_EVENTS_TEST, tenant.name))[0]?.deliveredAt).toBeNull()
    await runCron(eventsDbOnly, new Date(Date.now() + RESEND_AFTER_MS + 1000))
    const [row] = await outbox(opsEnv.DB_EVENTS_TEST, tenant.name)
    expect(row?.deliveredAt).not.toBeNull()
    expect((await receivedEvents(issuer(tenant), 1)).map((event) => event.jti)).toEqual([row?.id])
  })
})

describe('change event retention', () => {
  /** Seeds `count` events of `tenant` that occurred at `at`, delivered or not. */
  async function seed(tenant: string, count: number, at: string, delivered: boolean) {
    await opsEnv.DB_EVENTS_TEST.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO scim_events (id, tenant_id, resource_type, resource_id, operation, version, occurred_at, delivered_at)
       SELECT lower(hex(randomblob(16))), ?, 'User', 'u-' || i, 'created', 1, ?, ? FROM n`,
    )
      .bind(count, tenant, at, delivered ? at : null)
      .run()
  }
  const count = async (tenant: string) =>
    (await opsEnv.DB_EVENTS_TEST.prepare('SELECT count(*) AS n FROM scim_events WHERE tenant_id = ?')
      .bind(tenant)
      .first<number>('n')) ?? 0
  const OLD = '2020-01-01T00:00:00.000Z'

  it('prunes delivered events past the retention, in pages, and stops at the first young page', async ({
    expect,
  }) => {
    await opsEnv.DB_EVENTS_TEST.prepare('DELETE FROM scim_events').run()
    await seed('old-delivered', 2500, OLD, true)
    await seed('old-undelivered', 3, OLD, false)
    await seed('young', 1200, new Date().toISOString(), true)

    const pruned = await pruneEvents(opsEnv.DB_EVENTS_TEST, '2021-01-01T00:00:00.000Z', false, 50)
    expect(pruned).toBe(2500)
    expect([await count('old-delivered'), await count('old-undelivered'), await count('young')]).toEqual([
      0, 3, 1200,
    ])
  })

  it('has the cron prune every old event when no queue is bound (nothing is ever delivered)', async ({
    expect,
  }) => {
    await opsEnv.DB_EVENTS_TEST.prepare('DELETE FROM scim_events').run()
    await seed('no-queue', 5, OLD, false)
    await runCron({ ...eventsDbOnly, SCIM_EVENTS: undefined, SCIM_WEBHOOKS: undefined })
    expect(await count('no-queue')).toBe(0)
  })

  it('has the cron keep events younger than EVENT_RETENTION_DAYS', async ({ expect }) => {
    await opsEnv.DB_EVENTS_TEST.prepare('DELETE FROM scim_events').run()
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString()
    await seed('kept', 4, tenDaysAgo, true)
    await runCron({ ...eventsDbOnly, EVENT_RETENTION_DAYS: '30' })
    expect(await count('kept')).toBe(4)
    await runCron({ ...eventsDbOnly, EVENT_RETENTION_DAYS: '7' })
    expect(await count('kept')).toBe(0)
  })
})
