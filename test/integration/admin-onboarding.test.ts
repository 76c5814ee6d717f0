import { describe, it } from 'vitest'
import { admin, apiTenant, newOperatorKey, uniqueName } from '../support/admin-client'
import { GROUP, LIST, oktaUser, PATCH_OP, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'

/** What Okta's provisioning sends on every request (shared/idp/okta.md §2). */
const OKTA = {
  'user-agent': 'Okta SCIM Client 1.0.0',
  accept: 'application/scim+json',
  'content-type': 'application/scim+json; charset=utf-8',
}

describe('a SaaS backend onboards a customer by API alone, then Okta provisions into it', () => {
  it('create, issue, connection details, Okta provisioning, rotation, suspension', async ({ expect }) => {
    const { key } = await newOperatorKey('backend')
    const name = uniqueName('okta')
    const idempotency = (what: string) => ({ 'idempotency-key': `${what}-${name}` })

    expect(
      (await admin('/tenants', { key, body: { name, label: 'Acme' }, headers: idempotency('create') }))
        .status,
    ).toBe(201)
    const issued = await admin(`/tenants/${name}/tokens`, {
      key,
      body: { label: 'okta' },
      headers: idempotency('token'),
    })
    expect(issued.status).toBe(201)
    const connection = await admin(`/tenants/${name}/connection`, { key })
    expect(connection.json).toMatchObject({
      scimBaseUrl: `https://${name}.scim.example.com/scim/v2`,
      authentication: { scheme: 'Bearer' },
      revocationDelaySeconds: 120,
    })
    expect(connection.json.identityProviders.okta.fields['SCIM connector base URL']).toBe(
      connection.json.scimBaseUrl,
    )
    expect(connection.json.identityProviders.okta.fields['Unique identifier field for users']).toBe(
      'userName',
    )

    // Okta, with the URL and token the API returned: the import check, a user push, a group push, deactivation.
    const tenant = { ...apiTenant(name, issued.json.token), baseUrl: connection.json.scimBaseUrl }
    const probe = await scim(
      tenant,
      `/Users?${new URLSearchParams({ filter: 'userName eq "probe@example.com"', startIndex: '1', count: '1' })}`,
      { headers: OKTA },
    )
    expect(probe.status).toBe(200)
    expect(probe.json).toMatchObject({ schemas: [LIST], totalResults: 0 })
    const user = await scim(tenant, '/Users', { headers: OKTA, body: oktaUser('ann@example.com') })
    expect(user.status).toBe(201)
    expect(user.json.meta.location).toBe(`${connection.json.scimBaseUrl}/Users/${user.json.id}`)
    const group = await scim(tenant, '/Groups', {
      headers: OKTA,
      body: { schemas: [GROUP], displayName: 'Engineering', members: [] },
    })
    expect(group.status).toBe(201)
    const added = await scim(tenant, `/Groups/${group.json.id}`, {
      method: 'PATCH',
      headers: OKTA,
      body: patchOp({ op: 'add', path: 'members', value: [{ value: user.json.id }] }),
    })
    expect(added.status).toBeLessThan(300)
    const deactivated = await scim(tenant, `/Users/${user.json.id}`, {
      method: 'PATCH',
      headers: OKTA,
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
    })
    expect(deactivated.json.active).toBe(false)
    expect((await admin(`/tenants/${name}`, { key })).json.counts).toEqual({ users: 1, groups: 1 })

    // Rotation with a grace period, then suspension.
    const rotated = await admin(`/tenants/${name}/tokens/rotate`, {
      key,
      body: { graceSeconds: 3600, label: 'okta-2' },
    })
    expect((await scim(tenant, '/Users', { headers: OKTA })).status).toBe(200)
    expect((await scim(apiTenant(name, rotated.json.token), '/Users', { headers: OKTA })).status).toBe(200)
    await admin(`/tenants/${name}/suspend`, { key, method: 'POST' })
    expect((await scim(apiTenant(name, rotated.json.token), '/Users', { headers: OKTA })).status).toBe(401)
  })
})
