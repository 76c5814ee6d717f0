import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { createUser, patchOp } from '../support/fixtures'
import { createTenant } from '../support/tenant'
import { callWith, faultyD1 } from '../support/wrapped-bindings'

/** Every D1 call one PATCH makes, the background delivery after the answer included. */
async function callsOfPatch(queues: Partial<Env>) {
  const tenant = await createTenant()
  const user = await createUser(tenant, `cost-${crypto.randomUUID().slice(0, 8)}@example.com`)
  const d1 = faultyD1(env.DB, () => undefined)
  const res = await callWith({ ...queues, DB: d1.binding }, tenant, `/Users/${user.id}`, {
    method: 'PATCH',
    body: patchOp({ op: 'replace', path: 'title', value: 'Engineer' }),
  })
  if (res.status !== 200) throw new Error(`PATCH: ${res.status} ${res.text}`)
  return d1.calls.length
}

describe('D1 work a write adds for event delivery', () => {
  it('is two background statements for the outbox, none more for webhooks', async ({ expect }) => {
    const none = await callsOfPatch({ SCIM_EVENTS: undefined, SCIM_WEBHOOKS: undefined })
    const events = await callsOfPatch({ SCIM_WEBHOOKS: undefined })
    const both = await callsOfPatch({})
    console.log(
      JSON.stringify({ d1CallsPerPatch: { noQueue: none, scimEvents: events, scimEventsAndWebhooks: both } }),
    )
    // The read of the undelivered rows and the update that marks them (issue #18 item 4: not yet folded).
    expect(events - none).toBe(2)
    expect(both).toBe(events)
  })
})
