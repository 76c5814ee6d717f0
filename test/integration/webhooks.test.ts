import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import { beforeAll, describe, it } from 'vitest'
import { ManagementClient, verifyWebhook } from '../../src/client/edge-scim-client'
import { queue, WEBHOOK_DEAD_LETTER_QUEUE, WEBHOOK_QUEUE } from '../../src/ops/queue'
import { DISABLE_AFTER_FAILURES, type WebhookMessage } from '../../src/webhooks/webhook-consumer'
import type { WebhookEvent } from '../../src/webhooks/webhook-event'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { received, receiverUrl } from '../support/webhooks'

let key: string
beforeAll(async () => {
  key = (await newOperatorKey('webhooks')).key
})

async function register(tenant: string | undefined, url: string, eventTypes: string[] = []) {
  const res = await admin('/webhooks', { key, body: { url, eventTypes, ...(tenant && { tenant }) } })
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`)
  return res.json as { endpoint: { id: string }; secret: string }
}

/** Runs the Worker's queue handler on one message, as the queue would on its `attempts`-th delivery. */
async function consume(body: WebhookMessage, attempts = 1, queueName = WEBHOOK_QUEUE) {
  const batch = createMessageBatch<WebhookMessage>(queueName, [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body },
  ])
  // getQueueResult reports which messages were retried, not their delay: record it on the way.
  const delays: (number | undefined)[] = []
  for (const message of batch.messages) {
    const retry = message.retry.bind(message)
    message.retry = (options) => {
      delays.push(options?.delaySeconds)
      retry(options)
    }
  }
  const ctx = createExecutionContext()
  await queue(batch, env)
  return { ...(await getQueueResult(batch, ctx)), delays }
}

describe('webhooks', () => {
  it('delivers every committed change, signed per Standard Webhooks', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('ok')
    const { secret } = await register(tenant.name, url)
    const created = await scim(tenant, '/Users', { body: oktaUser('hook@example.com') })
    expect(created.status).toBe(201)
    const [delivery] = await received(path, 1)
    if (!delivery) throw new Error('no delivery')
    const event = new Webhook(secret).verify(delivery.body, delivery.headers) as WebhookEvent
    expect(event).toMatchObject({
      type: 'created',
      tenant: tenant.name,
      resource: { type: 'User', id: created.json.id, version: created.json.meta.version },
    })
    expect(typeof event.seq).toBe('number')
    expect(delivery.headers['webhook-id']).toBe(event.id)
    expect(event.set.jti).toBe(event.id)
  })

  it('sends deactivation alone to an endpoint that subscribed to it', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('deact')
    const { secret } = await register(tenant.name, url, ['deactivation'])
    const user = await scim(tenant, '/Users', { body: oktaUser('leaver@example.com') })
    await scim(tenant, `/Users/${user.json.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'active', value: false }),
    })
    const [delivery] = await received(path, 1)
    const event = new Webhook(secret).verify(delivery?.body ?? '', delivery?.headers ?? {}) as WebhookEvent
    expect(event.types).toEqual(['deactivated', 'deactivation'])
    // The create before it was not sent to this endpoint.
    expect((await env.WEBHOOK_SINK.list({ prefix: `${path} ` })).keys).toHaveLength(1)
  })

  it('retries a 500 with the computed backoff, with the same webhook-id, then succeeds', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('flaky')
    const { endpoint, secret } = await register(tenant.name, url)
    const event = fakeEvent(tenant.name)
    const first = await consume({ kind: 'attempt', endpointId: endpoint.id, event }, 1)
    expect(first.explicitAcks).toEqual([])
    expect(first.retryMessages).toHaveLength(1)
    const delay = first.delays[0] ?? 0
    expect(delay).toBeGreaterThanOrEqual(24)
    expect(delay).toBeLessThanOrEqual(36)
    const second = await consume({ kind: 'attempt', endpointId: endpoint.id, event }, 2)
    expect(second.explicitAcks).toHaveLength(1)
    const deliveries = await received(path, 2)
    expect(deliveries.map((d) => d.headers['webhook-id'])).toEqual([event.id, event.id])
    for (const d of deliveries) new Webhook(secret).verify(d.body, d.headers)
    const attempts = await admin(`/webhooks/${endpoint.id}/attempts`, { key })
    expect(
      attempts.json.attempts.map((a: { status: number; attempt: number }) => [a.attempt, a.status]),
    ).toEqual([
      [2, 204],
      [1, 500],
    ])
  })

  it('treats a redirect as a failure and does not follow it', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('redirect')
    const { endpoint } = await register(tenant.name, url)
    const result = await consume({ kind: 'attempt', endpointId: endpoint.id, event: fakeEvent(tenant.name) })
    expect(result.retryMessages).toHaveLength(1)
    expect(await received(path, 1)).toHaveLength(1)
    const attempts = await admin(`/webhooks/${endpoint.id}/attempts`, { key })
    expect(attempts.json.attempts[0]).toMatchObject({ status: 302, error: 'HTTP 302' })
  })

  it('keeps an endpoint enabled through a burst of failures shorter than a day', async ({ expect }) => {
    const tenant = await onboard(key)
    const { url } = receiverUrl('down')
    const { endpoint } = await register(tenant.name, url)
    // A short outage during a burst of changes: past the count, but failing only since now.
    await env.DB.prepare('UPDATE webhook_endpoints SET consecutive_failures = ? WHERE id = ?')
      .bind(DISABLE_AFTER_FAILURES + 50, endpoint.id)
      .run()
    await consume({ kind: 'attempt', endpointId: endpoint.id, event: fakeEvent(tenant.name) })
    const failing = (await admin(`/webhooks/${endpoint.id}`, { key })).json
    expect(failing).toMatchObject({ enabled: true, consecutiveFailures: DISABLE_AFTER_FAILURES + 51 })
    const row = await env.DB.prepare('SELECT failing_since FROM webhook_endpoints WHERE id = ?')
      .bind(endpoint.id)
      .first<{ failing_since: string }>()
    expect(Date.now() - Date.parse(row?.failing_since ?? '')).toBeLessThan(60_000)
  })

  it(`disables an endpoint failing for a day, ${DISABLE_AFTER_FAILURES} times in a row, and shows why`, async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const { url } = receiverUrl('down')
    const { endpoint } = await register(tenant.name, url)
    await env.DB.prepare(
      'UPDATE webhook_endpoints SET consecutive_failures = ?, failing_since = ? WHERE id = ?',
    )
      .bind(DISABLE_AFTER_FAILURES - 2, '2000-01-01T00:00:00.000Z', endpoint.id)
      .run()
    await consume({ kind: 'attempt', endpointId: endpoint.id, event: fakeEvent(tenant.name) })
    expect((await admin(`/webhooks/${endpoint.id}`, { key })).json.enabled).toBe(true)
    await consume({ kind: 'attempt', endpointId: endpoint.id, event: fakeEvent(tenant.name) })
    const disabled = (await admin(`/webhooks/${endpoint.id}`, { key })).json
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: DISABLE_AFTER_FAILURES })
    expect(disabled.disabledReason).toContain(
      `every attempt failed since 2000-01-01T00:00:00.000Z, ${DISABLE_AFTER_FAILURES} in a row`,
    )
    // A disabled endpoint gets nothing more: the attempt is acknowledged without a request.
    const skipped = await consume({ kind: 'attempt', endpointId: endpoint.id, event: fakeEvent(tenant.name) })
    expect(skipped.explicitAcks).toHaveLength(1)
    const enabled = await admin(`/webhooks/${endpoint.id}`, { key, method: 'PATCH', body: { enabled: true } })
    expect(enabled.json).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null })
  })

  it('signs with both secrets during a rotation grace period, then with the new one only', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('rotate')
    const { endpoint, secret: old } = await register(tenant.name, url)
    const rotated = await admin(`/webhooks/${endpoint.id}/rotate-secret`, {
      key,
      body: { graceSeconds: 600 },
    })
    expect(rotated.status).toBe(201)
    const fresh = rotated.json.secret as string
    await consume({ kind: 'attempt', endpointId: endpoint.id, event: fakeEvent(tenant.name) })
    const [during] = await received(path, 1)
    if (!during) throw new Error('no delivery')
    new Webhook(old).verify(during.body, during.headers)
    new Webhook(fresh).verify(during.body, during.headers)
    await admin(`/webhooks/${endpoint.id}/rotate-secret`, { key, body: { graceSeconds: 0 } })
    const list = await admin(`/webhooks?tenant=${tenant.name}`, { key })
    expect(list.json.endpoints[0].previousSecretExpiresAt).toBeNull()
    expect(JSON.stringify(list.json)).not.toContain('whsec_')
  })

  it('parks what the dead-letter queue receives in D1, lists it and replays it', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('parked')
    const { endpoint, secret } = await register(tenant.name, url)
    const event = fakeEvent(tenant.name)
    const parked = await consume(
      { kind: 'attempt', endpointId: endpoint.id, event },
      1,
      WEBHOOK_DEAD_LETTER_QUEUE,
    )
    expect(parked.ackAll).toBe(true)
    const list = await admin(`/webhooks/dead-letters?endpointId=${endpoint.id}`, { key })
    expect(list.json.deadLetters).toEqual([
      {
        id: expect.any(Number),
        endpointId: endpoint.id,
        eventId: event.id,
        parkedAt: expect.any(String),
        replayedAt: null,
      },
    ])
    const replay = await admin(`/webhooks/dead-letters/${list.json.deadLetters[0].id}/replay`, {
      key,
      method: 'POST',
    })
    expect(replay.status).toBe(202)
    expect(replay.json.replayedAt).toEqual(expect.any(String))
    // The Worker's own queue consumer sends it: same webhook-id, signed.
    const [delivery] = await received(path, 1)
    expect(delivery?.headers['webhook-id']).toBe(event.id)
    new Webhook(secret).verify(delivery?.body ?? '', delivery?.headers ?? {})
    expect((await admin('/webhooks/dead-letters/999999999/replay', { key, method: 'POST' })).status).toBe(404)
  })

  it('works through the TypeScript client: register, verify a delivery, read attempts', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const client = new ManagementClient('https://scim.example.com/admin/v1', key, (input, init) =>
      exports.default.fetch(input, init),
    )
    const { path, url } = receiverUrl('client')
    const { endpoint, secret } = await client.createWebhook({ url, tenant: tenant.name })
    await scim(tenant, '/Users', { body: oktaUser('client@example.com') })
    const [delivery] = await received(path, 1)
    const event = verifyWebhook(secret, delivery?.body ?? '', delivery?.headers ?? {})
    expect(event.type).toBe('created')
    await expect.poll(async () => (await client.webhookAttempts(endpoint.id)).attempts.length).toBe(1)
    await expect(client.createWebhook({ url: 'https://10.0.0.1/' })).rejects.toMatchObject({ status: 422 })
  })

  it.each([
    'https://127.0.0.1/hook',
    'https://0x7f000001/hook',
    'https://[::1]/hook',
    'https://metadata.google.internal/hook',
    'https://acme.scim.example.com/hook',
    'http://hooks.example.org/hook',
  ])('refuses the private or unsafe target %s with 422', async (url) => {
    const res = await admin('/webhooks', { key, body: { url } })
    if (res.status !== 422) throw new Error(`${url}: ${res.status} ${res.text}`)
  })
})

let seq = 0
function fakeEvent(tenant: string): WebhookEvent {
  const id = crypto.randomUUID()
  return {
    id,
    type: 'patched',
    types: ['patched'],
    tenant,
    seq: ++seq,
    occurredAt: new Date().toISOString(),
    resource: { type: 'User', id: crypto.randomUUID(), version: 'W/"2"' },
    set: {
      jti: id,
      iss: `https://${tenant}.scim.example.com/scim/v2`,
      iat: 0,
      toe: 0,
      sub_id: { format: 'scim', uri: '/Users/x' },
      events: {},
    },
  }
}
