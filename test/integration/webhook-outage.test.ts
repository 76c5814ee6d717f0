import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { type FeedEvent, ManagementClient } from '../../src/client/edge-scim-client'
import { DISABLE_AFTER_FAILURES } from '../../src/webhooks/webhook-consumer'
import { newOperatorKey, onboard } from '../support/admin-client'
import { createGroup, createUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { acceptedEvents, receiverUrl, setReceiverDown, waitUntil } from '../support/webhook-sink'

/**
 * An application that is down while the identity provider writes, then comes back, end to end on
 * the real queues (wrangler.toml's edge-scim-webhooks, consumed by this Worker, retried by workerd
 * with the computed delay): nothing is lost, whether the queue's retries bring the events or the
 * application pages the change feed from the last `seq` it processed.
 */

let client: ManagementClient
beforeAll(async () => {
  const { key } = await newOperatorKey('outage')
  client = new ManagementClient('https://scim.example.com/admin/v1', key, (input, init) =>
    exports.default.fetch(input, init),
  )
})

async function collect(events: AsyncIterable<FeedEvent>) {
  const seen: FeedEvent[] = []
  for await (const event of events) seen.push(event)
  return seen
}

/** The changes of an outage: a create, a deactivation, a group with a member, a deletion. */
async function writeDuringOutage(tenant: Awaited<ReturnType<typeof onboard>>, annId: string) {
  const bob = await createUser(tenant, 'bob@outage.example')
  await scim(tenant, `/Users/${annId}`, {
    method: 'PATCH',
    body: patchOp({ op: 'replace', path: 'active', value: false }),
  })
  await createGroup(tenant, 'Survivors', [bob.id])
  expect204(await scim(tenant, `/Users/${bob.id}`, { method: 'DELETE' }))
  return bob
}

function expect204(answer: { status: number }) {
  if (answer.status !== 204) throw new Error(`DELETE answered ${answer.status}`)
}

/** The application is up: its first event arrives; answers the `seq` it processed last. */
async function firstDelivery(path: string, secret: string, tenant: Awaited<ReturnType<typeof onboard>>) {
  const ann = await createUser(tenant, 'ann@outage.example')
  await waitUntil(
    'the first event is accepted',
    async () => (await acceptedEvents(path, secret)).size === 1,
    15_000,
  )
  const [first] = (await acceptedEvents(path, secret)).values()
  return { ann, lastSeq: first?.seq ?? 0 }
}

describe('redelivery after the application was down', () => {
  it('the queue retries deliver every event of the outage once the receiver is back, the same as the feed holds', async ({
    expect,
  }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    const { path, url } = receiverUrl('outage')
    const { endpoint, secret } = await client.createWebhook({ url, tenant: tenant.name })
    const { ann, lastSeq } = await firstDelivery(path, secret, tenant)

    await setReceiverDown(path, true)
    const bob = await writeDuringOutage(tenant, ann.id)
    const missed = await collect(client.feed(tenant.name, { after: String(lastSeq) }))
    expect(missed.map((e) => [e.resourceId, e.operation])).toEqual(
      expect.arrayContaining([
        [bob.id, 'created'],
        [ann.id, 'deactivated'],
        [bob.id, 'deleted'],
      ]),
    )
    const missedIds = missed.map((e) => e.token.jti)
    await waitUntil(
      'every event of the outage failed at least once',
      async () => {
        const { attempts } = await client.webhookAttempts(endpoint.id)
        const failed = new Set(attempts.filter((a) => a.status === 500).map((a) => a.eventId))
        return missedIds.every((id) => failed.has(id))
      },
      20_000,
    )
    expect([...(await acceptedEvents(path, secret)).keys()]).toHaveLength(1)

    // Back up: the queue's retries (24–36 s after the failure) deliver the rest.
    await setReceiverDown(path, false)
    await waitUntil(
      'every event is accepted',
      async () => (await acceptedEvents(path, secret)).size === missed.length + 1,
      90_000,
    )
    const accepted = await acceptedEvents(path, secret)
    expect(missedIds.every((id) => accepted.has(id))).toBe(true)
    // Each event the application got is the feed's, at the same seq, signed and verified.
    for (const event of missed) expect(accepted.get(event.token.jti)?.seq).toBe(Number(event.position))
    const { attempts } = await client.webhookAttempts(endpoint.id)
    const ofOne = attempts.filter((a) => a.eventId === missedIds[0]).map((a) => [a.attempt, a.status])
    expect(ofOne).toEqual([
      [2, 204],
      [1, 500],
    ])
  }, 150_000)

  it('an endpoint the outage disabled is caught up from the feed after re-enabling, nothing twice', async ({
    expect,
  }) => {
    const tenant = await onboard((await newOperatorKey()).key)
    const { path, url } = receiverUrl('outage')
    const { endpoint, secret } = await client.createWebhook({ url, tenant: tenant.name })
    const { ann, lastSeq } = await firstDelivery(path, secret, tenant)
    // As if it had already failed for over a day, the threshold but one: the next failure disables it.
    await env.DB.prepare(
      'UPDATE webhook_endpoints SET consecutive_failures = ?, failing_since = ? WHERE id = ?',
    )
      .bind(DISABLE_AFTER_FAILURES - 1, '2000-01-01T00:00:00.000Z', endpoint.id)
      .run()

    await setReceiverDown(path, true)
    const bob = await writeDuringOutage(tenant, ann.id)
    const current = async () =>
      (await client.listWebhooks(tenant.name)).endpoints.find((e) => e.id === endpoint.id)
    await waitUntil('the endpoint is disabled', async () => (await current())?.enabled === false, 20_000)
    expect((await current())?.disabledReason).toContain(`${DISABLE_AFTER_FAILURES} in a row`)

    await setReceiverDown(path, false)
    await client.updateWebhook(endpoint.id, { enabled: true })
    // The application reads what it missed from the last seq it processed.
    const reader = client.feed(tenant.name, { after: String(lastSeq) })
    const caughtUp = await collect(reader)
    expect(caughtUp.map((e) => [e.resourceId, e.operation])).toEqual(
      expect.arrayContaining([
        [bob.id, 'created'],
        [ann.id, 'deactivated'],
        [bob.id, 'deleted'],
      ]),
    )
    expect(caughtUp.every((e) => Number(e.position) > lastSeq)).toBe(true)

    // Webhooks resume for new changes, after the position the feed reader kept: no gap, no overlap.
    const carol = await createUser(tenant, 'carol@outage.example')
    await waitUntil(
      "carol's creation is delivered",
      async () => [...(await acceptedEvents(path, secret)).values()].some((e) => e.resource.id === carol.id),
      20_000,
    )
    const carolEvent = [...(await acceptedEvents(path, secret)).values()].find(
      (e) => e.resource.id === carol.id,
    )
    expect(carolEvent?.seq).toBeGreaterThan(Number(reader.position))
    const fromFeed = new Set(caughtUp.map((e) => e.token.jti))
    expect(fromFeed.has(carolEvent?.id ?? '')).toBe(false)
  }, 60_000)
})
