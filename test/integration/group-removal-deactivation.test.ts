import { env } from 'cloudflare:workers'
import { beforeAll, describe, it } from 'vitest'
import { newOperatorKey, onboard } from '../support/admin-client'
import { createGroup, createUser, GROUP, patchOp } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'
import { receiverUrl, registerWebhook, verifiedEvents } from '../support/webhooks'

const LEFT = 'removedFromAllGroups'

/** The users a tenant's outbox says were left in no group, in commit order. */
async function leftInNoGroup(tenant: TestTenant) {
  const { results } = await env.DB.prepare(
    'SELECT resource_id AS id FROM scim_events WHERE tenant_id = ? AND operation = ? ORDER BY seq',
  )
    .bind(tenant.name, LEFT)
    .all<{ id: string }>()
  return results.map((row) => row.id)
}

async function patchGroup(tenant: TestTenant, id: string, ...operations: unknown[]) {
  const res = await scim(tenant, `/Groups/${id}`, { method: 'PATCH', body: patchOp(...operations) })
  if (res.status !== 200 && res.status !== 204) throw new Error(`PATCH: ${res.status} ${res.text}`)
  return res
}

/** A tenant with users ann (in Engineering only) and bob (in Engineering and Sales). */
async function twoUsers() {
  const tenant = await createTenant()
  const ann = await createUser(tenant, 'ann@example.com')
  const bob = await createUser(tenant, 'bob@example.com')
  const engineering = await createGroup(tenant, 'Engineering', [ann.id, bob.id])
  const sales = await createGroup(tenant, 'Sales', [bob.id])
  return {
    tenant,
    ann: ann.id as string,
    bob: bob.id as string,
    engineering: engineering.id as string,
    sales,
  }
}

describe('a user removed from every group raises an event in the same write', () => {
  it('on a PATCH removing members, only for those left in no group, at no extra round trip', async ({
    expect,
  }) => {
    const { tenant, ann, bob, engineering } = await twoUsers()
    const res = await patchGroup(tenant, engineering, {
      op: 'remove',
      path: 'members',
      value: [{ value: ann }, { value: bob }],
    })
    // The guard read and the write batch, as any group PATCH.
    expect(roundTrips(res.headers)).toBe(2)
    expect(await leftInNoGroup(tenant)).toEqual([ann])
  })

  it('on a PATCH removing by filter or removing all members', async ({ expect }) => {
    const { tenant, ann, bob, engineering, sales } = await twoUsers()
    await patchGroup(tenant, sales.id, { op: 'remove', path: `members[value eq "${bob}"]` })
    expect(await leftInNoGroup(tenant)).toEqual([])
    await patchGroup(tenant, engineering, { op: 'remove', path: 'members' })
    expect((await leftInNoGroup(tenant)).sort()).toEqual([ann, bob].sort())
  })

  it('not when the same PATCH adds the user back', async ({ expect }) => {
    const { tenant, ann, engineering } = await twoUsers()
    await patchGroup(
      tenant,
      engineering,
      { op: 'remove', path: `members[value eq "${ann}"]` },
      { op: 'add', path: 'members', value: [{ value: ann }] },
    )
    expect(await leftInNoGroup(tenant)).toEqual([])
    // …but when a later operation removes the user again, it is raised.
    await patchGroup(
      tenant,
      engineering,
      { op: 'add', path: 'members', value: [{ value: ann }] },
      { op: 'remove', path: `members[value eq "${ann}"]` },
    )
    expect(await leftInNoGroup(tenant)).toEqual([ann])
  })

  it('on a PUT replacing the members', async ({ expect }) => {
    const { tenant, ann, bob, engineering } = await twoUsers()
    const res = await scim(tenant, `/Groups/${engineering}`, {
      method: 'PUT',
      body: { schemas: [GROUP], displayName: 'Engineering', members: [] },
    })
    expect(res.status).toBe(200)
    expect(await leftInNoGroup(tenant)).toEqual([ann])
    expect(await leftInNoGroup(tenant)).not.toContain(bob)
  })

  it('on a group DELETE, for the members it was the only group of', async ({ expect }) => {
    const { tenant, ann, engineering } = await twoUsers()
    const res = await scim(tenant, `/Groups/${engineering}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(roundTrips(res.headers)).toBe(1)
    expect(await leftInNoGroup(tenant)).toEqual([ann])
  })

  it('counts nested groups: a user still in a group nested in another is in a group', async ({ expect }) => {
    const tenant = await createTenant()
    const ann = (await createUser(tenant, 'ann@example.com')).id as string
    const child = (await createGroup(tenant, 'Backend', [ann])).id as string
    const parent = (await createGroup(tenant, 'Engineering', [child])).id as string
    // ann leaves Engineering (indirectly) but stays in Backend: still in a group.
    await patchGroup(tenant, parent, { op: 'remove', path: `members[value eq "${child}"]` })
    expect(await leftInNoGroup(tenant)).toEqual([])
    await patchGroup(tenant, parent, { op: 'add', path: 'members', value: [{ value: child }] })
    // Leaving Backend, ann is in no group at all: neither directly nor through Engineering.
    await patchGroup(tenant, child, { op: 'remove', path: `members[value eq "${ann}"]` })
    expect(await leftInNoGroup(tenant)).toEqual([ann])
    const user = await scim(tenant, `/Users/${ann}`)
    expect(user.json.groups ?? []).toEqual([])
  })

  it('on a /Bulk operation removing members', async ({ expect }) => {
    const { tenant, ann, engineering } = await twoUsers()
    const res = await scim(tenant, '/Bulk', {
      method: 'POST',
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'PATCH',
            path: `/Groups/${engineering}`,
            data: patchOp({ op: 'remove', path: `members[value eq "${ann}"]` }),
          },
        ],
      },
    })
    expect(res.status).toBe(200)
    expect(await leftInNoGroup(tenant)).toEqual([ann])
  })
})

describe('the deactivation webhook type', () => {
  let key: string
  beforeAll(async () => {
    key = (await newOperatorKey('group-removal')).key
  })

  it('is raised, signed, for a user removed from every group', async ({ expect }) => {
    const tenant = await onboard(key)
    const { path, url } = receiverUrl('left')
    const { secret } = await registerWebhook(key, { url, eventTypes: ['deactivation'], tenant: tenant.name })
    const ann = (await createUser(tenant, 'ann@example.com')).id as string
    const group = (await createGroup(tenant, 'Engineering', [ann])).id as string
    await patchGroup(tenant, group, { op: 'remove', path: `members[value eq "${ann}"]` })

    const [event] = await verifiedEvents(path, secret, 1)
    expect(event).toMatchObject({
      type: LEFT,
      types: [LEFT, 'deactivation'],
      tenant: tenant.name,
      // The user's own version does not move: `groups` is computed from the groups' members.
      resource: { type: 'User', id: ann, version: null },
      set: {
        sub_id: { format: 'scim', uri: `/Users/${ann}` },
        events: { 'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['groups'] } },
      },
    })
    // The group's own membersRemoved event went to no one: the endpoint subscribed to deactivation only.
    expect((await env.WEBHOOK_SINK.list({ prefix: `${path} ` })).keys).toHaveLength(1)
  })
})
