import { exports } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { ManagementClient, type WebhookEvent } from '../../src/client/edge-scim-client'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { createGroup, oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { receiverUrl, registerWebhook, verifiedEvents } from '../support/webhooks'

let key: string
let client: ManagementClient
beforeAll(async () => {
  key = (await newOperatorKey('resource-state')).key
  // The typed client, over the real Worker's management API.
  client = new ManagementClient('https://scim.example.com/admin/v1', key, (input, init) =>
    exports.default.fetch(input, init),
  )
})

/** The delivery of this type among verified ones. */
const ofType = (events: WebhookEvent[], type: string) => events.find((event) => event.type === type)

describe("the resource's state at delivery, when the endpoint asks for it", () => {
  it('carries the user as read when sent, then null once it is deleted', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('state')
    const { endpoint, secret } = await client.createWebhook({
      url,
      tenant: tenant.name,
      eventTypes: ['created'],
      includeResource: true,
    })
    expect(endpoint.includeResource).toBe(true)
    const created = await scim(tenant, '/Users', { body: oktaUser('state@example.com') })
    expect(created.status).toBe(201)

    const [first] = await verifiedEvents(path, secret, 1)
    expect(first?.stateAtDelivery).toMatchObject({
      id: created.json.id,
      userName: 'state@example.com',
      active: true,
      meta: { resourceType: 'User', version: created.json.meta.version },
    })
    // Directory's read: a User with its groups (none yet), never the password.
    expect(first?.stateAtDelivery).not.toHaveProperty('password')

    await client.updateWebhook(endpoint.id, { eventTypes: ['deleted'] })
    expect((await scim(tenant, `/Users/${created.json.id}`, { method: 'DELETE' })).status).toBe(204)
    const deleted = ofType(await verifiedEvents(path, secret, 2), 'deleted')
    expect(deleted).toMatchObject({ type: 'deleted', resource: { type: 'User', id: created.json.id } })
    expect(deleted?.stateAtDelivery).toBeNull()
  })

  it('reads a group without its members, at least as new as the event', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('group-state')
    const { secret } = await registerWebhook(key, {
      url,
      tenant: tenant.name,
      eventTypes: ['patched'],
      includeResource: true,
    })
    const group = await createGroup(tenant, 'Engineering')
    const renamed = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Platform' }),
    })
    expect([200, 204]).toContain(renamed.status)
    const [event] = await verifiedEvents(path, secret, 1)
    expect(event?.stateAtDelivery).toMatchObject({ id: group.id, displayName: 'Platform' })
    expect(event?.stateAtDelivery).not.toHaveProperty('members')
  })

  it('is absent for an endpoint that did not ask, and the option is in the API and its schema', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('no-state')
    const { endpoint, secret } = await registerWebhook(key, { url, tenant: tenant.name })
    expect(endpoint).toMatchObject({ includeResource: false })
    await scim(tenant, '/Users', { body: oktaUser('plain@example.com') })
    const [event] = await verifiedEvents(path, secret, 1)
    expect(event).not.toHaveProperty('stateAtDelivery')

    const turnedOn = await admin(`/webhooks/${endpoint.id}`, {
      key,
      method: 'PATCH',
      body: { includeResource: true },
    })
    expect(turnedOn.json).toMatchObject({ includeResource: true, eventTypes: [], enabled: true })
    const wrong = await admin('/webhooks', { key, body: { url, includeResource: 'yes' } })
    expect(wrong.status).toBe(400)

    const openapi = await admin('/openapi.json', { key: null })
    const schemas = openapi.json.components.schemas
    expect(schemas.WebhookEndpoint.properties.includeResource).toMatchObject({ type: 'boolean' })
    expect(schemas.WebhookEndpointCreate.properties.includeResource).toMatchObject({ type: 'boolean' })
  })
})
