import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { queue, WEBHOOK_QUEUE } from '../../src/ops/queue'
import { DISABLE_AFTER_FAILURES, type WebhookMessage } from '../../src/webhooks/webhook-consumer'
import type { WebhookEvent } from '../../src/webhooks/webhook-event'
import { admin, newOperatorKey } from '../support/admin-client'
import { createUser } from '../support/fixtures'
import { page, redeem, tenantWithLink } from '../support/setup-client'
import { receiverUrl, waitUntil } from '../support/webhook-sink'

/** The setup page's activity log, and the management API's, name webhook endpoints the delivery disabled. */

let key: string
beforeAll(async () => {
  key = (await newOperatorKey('setup-webhooks')).key
})

async function register(url: string, tenant?: string) {
  const res = await admin('/webhooks', { key, body: { url, ...(tenant && { tenant }) } })
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`)
  const id = res.json.endpoint.id as string
  // As if it had failed for over a day, the threshold but one: its next failure disables it.
  await env.DB.prepare(
    'UPDATE webhook_endpoints SET consecutive_failures = ?, failing_since = ? WHERE id = ?',
  )
    .bind(DISABLE_AFTER_FAILURES - 1, '2000-01-01T00:00:00.000Z', id)
    .run()
  return id
}

const endpointOf = async (id: string) => (await admin(`/webhooks/${id}`, { key })).json

/** One delivery attempt through the Worker's queue handler, as the queue runs it. */
async function attempt(endpointId: string, tenant: string) {
  const id = crypto.randomUUID()
  const event: WebhookEvent = {
    id,
    type: 'created',
    types: ['created'],
    tenant,
    seq: 1,
    occurredAt: new Date().toISOString(),
    resource: { type: 'User', id: crypto.randomUUID(), version: 'W/"1"' },
    set: { jti: id, iss: '', iat: 0, toe: 0, sub_id: { format: 'scim', uri: '/Users/x' }, events: {} },
  }
  const batch = createMessageBatch<WebhookMessage>(WEBHOOK_QUEUE, [
    { id, timestamp: new Date(), attempts: 1, body: { kind: 'attempt', endpointId, event } },
  ])
  await queue(batch, env)
  await getQueueResult(batch, createExecutionContext())
}

describe("the setup page's log shows disabled webhook endpoints", () => {
  it('names the host, when and why of the tenant’s disabled endpoint, never another tenant’s', async ({
    expect,
  }) => {
    const { tenant, url } = await tenantWithLink(key)
    const other = await tenantWithLink(key)
    const cookie = await redeem(url)
    const status = () => page(`${new URL(url).origin}/setup/status?idp=okta`, { cookie })
    expect((await status()).text).not.toContain('disabled-webhooks')

    // The tenant's own endpoint, disabled by the real pipeline: a SCIM write, the queue, a 500.
    const own = receiverUrl('down')
    const ownId = await register(own.url, tenant.name)
    await createUser(tenant, 'ann@disabled.example')
    await waitUntil(
      'the endpoint is disabled',
      async () => (await endpointOf(ownId)).enabled === false,
      20_000,
    )
    // Another tenant's endpoint, disabled too, is not this tenant's business.
    const otherId = await register(
      receiverUrl('down').url.replace('localhost', 'other.localhost'),
      other.tenant.name,
    )
    await attempt(otherId, other.tenant.name)
    expect((await endpointOf(otherId)).enabled).toBe(false)

    const shown = (await status()).text
    expect(shown).toContain('data-testid="disabled-webhooks"')
    expect(shown).toContain('<code>localhost:8971</code>')
    expect(shown).toContain(`${DISABLE_AFTER_FAILURES} in a row`)
    expect(shown).toContain('HTTP 500')
    expect(shown).not.toContain(own.path)
    expect(shown).not.toContain('other.localhost')
    const activity = await admin(`/tenants/${tenant.name}/activity`, { key })
    expect(activity.json.disabledWebhooks).toEqual([
      {
        host: 'localhost:8971',
        disabledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        reason: expect.stringContaining('every attempt failed since'),
        lastStatus: 500,
        lastError: expect.any(String),
      },
    ])
    expect(shown).toContain(activity.json.disabledWebhooks[0].disabledAt.slice(0, 16).replace('T', ' '))

    // Re-enabled, it leaves the log.
    await admin(`/webhooks/${ownId}`, { key, method: 'PATCH', body: { enabled: true } })
    expect((await status()).text).not.toContain('disabled-webhooks')
  })

  it("shows a deployment-wide endpoint's disabling in every tenant's log", async ({ expect }) => {
    const { tenant, url } = await tenantWithLink(key)
    const cookie = await redeem(url)
    const everyone = receiverUrl('down')
    const id = await register(everyone.url)
    try {
      await attempt(id, tenant.name)
      const text = (await page(`${new URL(url).origin}/setup/status?idp=entra`, { cookie })).text
      expect(text).toContain('<code>localhost:8971</code>')
      const activity = await admin(`/tenants/${tenant.name}/activity`, { key })
      expect(activity.json.disabledWebhooks).toHaveLength(1)
    } finally {
      await admin(`/webhooks/${id}`, { key, method: 'DELETE' })
    }
  })
})
