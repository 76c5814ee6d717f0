import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { admin, newOperatorKey } from '../support/admin-client'
import { createUser, oktaUser, patchOp } from '../support/fixtures'
import { createTenant, type TestTenant } from '../support/tenant'
import { receiverUrl, registerWebhook } from '../support/webhooks'
import {
  type Call,
  callWith,
  concurrentCallsWith,
  type FaultyD1,
  faultyD1,
} from '../support/wrapped-bindings'

/** D1 round trips (calls) and statements one request makes, the background delivery after the answer included. */
interface Cost {
  roundTrips: number
  statements: number
}

const costOf = (calls: FaultyD1['calls']): Cost => ({
  roundTrips: calls.length,
  statements: calls.reduce((sum, call) => sum + call.sql.length, 0),
})

async function costOfCall(
  queues: Partial<Env>,
  tenant: TestTenant,
  path: string,
  call: Call,
  status: number,
) {
  const d1 = faultyD1(env.DB, () => undefined)
  const res = await callWith({ ...queues, DB: d1.binding }, tenant, path, call)
  if (res.status !== status) throw new Error(`${call.method} ${path}: ${res.status} ${res.text}`)
  return costOf(d1.calls)
}

/** The cost of one PATCH of a fresh user. */
async function costOfPatch(queues: Partial<Env>) {
  const tenant = await createTenant()
  const user = await createUser(tenant, `cost-${crypto.randomUUID().slice(0, 8)}@example.com`)
  const body = patchOp({ op: 'replace', path: 'title', value: 'Engineer' })
  return costOfCall(queues, tenant, `/Users/${user.id}`, { method: 'PATCH', body }, 200)
}

/** The cost of one /Bulk request creating `n` users. */
async function costOfBulk(queues: Partial<Env>, n: number) {
  const tenant = await createTenant()
  const Operations = Array.from({ length: n }, (_, i) => ({
    method: 'POST',
    path: '/Users',
    bulkId: `u${i}`,
    data: oktaUser(`bulk-cost-${i}@example.com`),
  }))
  const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations }
  return costOfCall(queues, tenant, '/Bulk', { method: 'POST', body }, 200)
}

const NO_QUEUE = { SCIM_EVENTS: undefined, SCIM_WEBHOOKS: undefined }

/** The real queues, counting the `sendBatch` calls made on each. */
function countedQueues() {
  if (!env.SCIM_EVENTS || !env.SCIM_WEBHOOKS) throw new Error('the test configuration binds both queues')
  const sends = { events: 0, webhooks: 0 }
  const counted = (queue: Queue, key: keyof typeof sends): Queue =>
    ({
      send: (body, options) => queue.send(body, options),
      sendBatch: (messages, options) => {
        sends[key]++
        return queue.sendBatch(messages, options)
      },
    }) as Queue
  return {
    queues: {
      SCIM_EVENTS: counted(env.SCIM_EVENTS, 'events'),
      SCIM_WEBHOOKS: counted(env.SCIM_WEBHOOKS, 'webhooks'),
    },
    sends,
  }
}

/** The `sendBatch` calls per queue that one PATCH of a fresh user of `tenant` makes. */
async function sendsOfPatch(tenant: TestTenant) {
  const user = await createUser(tenant, `sends-${crypto.randomUUID().slice(0, 8)}@example.com`)
  const { queues, sends } = countedQueues()
  const body = patchOp({ op: 'replace', path: 'title', value: 'Engineer' })
  const res = await callWith(queues, tenant, `/Users/${user.id}`, { method: 'PATCH', body })
  if (res.status !== 200) throw new Error(`PATCH: ${res.status} ${res.text}`)
  return sends
}

describe('D1 work a write adds for event delivery', () => {
  it('is one background statement for the outbox (the mark), none more for webhooks', async ({ expect }) => {
    const none = await costOfPatch(NO_QUEUE)
    const events = await costOfPatch({ SCIM_WEBHOOKS: undefined })
    const both = await costOfPatch({})
    console.log(
      JSON.stringify({ d1PerPatch: { noQueue: none, scimEvents: events, scimEventsAndWebhooks: both } }),
    )
    // The write batch returns the event rows it inserted, so nothing is read back: one UPDATE marks them.
    expect(events.roundTrips - none.roundTrips).toBe(1)
    expect(events.statements - none.statements).toBe(1)
    expect(both).toEqual(events)
  })

  it('is one background statement for a whole /Bulk request', async ({ expect }) => {
    const none = await costOfBulk(NO_QUEUE, 50)
    const both = await costOfBulk({}, 50)
    console.log(JSON.stringify({ d1PerBulkOf50Creates: { noQueue: none, scimEventsAndWebhooks: both } }))
    expect(both.roundTrips - none.roundTrips).toBe(1)
    expect(both.statements - none.statements).toBe(1)
  })

  it('is one mark and one send per queue for writes of a tenant that arrive together', async ({ expect }) => {
    const tenant = await createTenant()
    const { key } = await newOperatorKey('delivery-window')
    await registerWebhook(key, { url: receiverUrl('delivery-window').url, tenant: tenant.name })
    const users = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        createUser(tenant, `window-${i}-${crypto.randomUUID().slice(0, 8)}@example.com`),
      ),
    )
    const d1 = faultyD1(env.DB, () => undefined)
    const { queues, sends } = countedQueues()
    const answers = await concurrentCallsWith(
      { DB: d1.binding, ...queues },
      tenant,
      users.map((user) => ({
        path: `/Users/${user.id}`,
        call: { method: 'PATCH', body: patchOp({ op: 'replace', path: 'title', value: 'Engineer' }) },
      })),
    )
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
    const marks = d1.calls.filter((call) =>
      call.sql.some((sql) => /UPDATE scim_events SET delivered_at/.test(sql)),
    )
    expect(marks).toHaveLength(1)
    expect(sends).toEqual({ events: 1, webhooks: 1 })
    const { results } = await env.DB.prepare(
      `SELECT count(*) AS pending FROM scim_events WHERE tenant_id = ? AND operation = 'patched' AND delivered_at IS NULL`,
    )
      .bind(tenant.name)
      .all<{ pending: number }>()
    expect(results[0]?.pending).toBe(0)
  })

  it('sends webhook dispatches only for a tenant an enabled endpoint covers, as its write read them', async ({
    expect,
  }) => {
    const { key } = await newOperatorKey('delivery-cost')
    const global = await env.DB.prepare(
      'SELECT count(*) AS n FROM webhook_endpoints WHERE tenant IS NULL AND enabled = 1',
    ).first<{ n: number }>()
    expect(global?.n).toBe(0)
    const tenant = await createTenant()
    expect(await sendsOfPatch(tenant)).toEqual({ events: 1, webhooks: 0 })

    const { endpoint } = await registerWebhook(key, {
      url: receiverUrl('delivery-cost').url,
      tenant: tenant.name,
    })
    expect(await sendsOfPatch(tenant)).toEqual({ events: 1, webhooks: 1 })
    await admin(`/webhooks/${endpoint.id}`, {
      key,
      method: 'PATCH',
      body: { enabled: false },
    })
    expect(await sendsOfPatch(tenant)).toEqual({ events: 1, webhooks: 0 })

    // Endpoints live in the control database (DB): a tenant on another database always dispatches.
    expect(await sendsOfPatch(await createTenant({ db: 'DB_2' }))).toEqual({ events: 1, webhooks: 1 })
  })
})
