import { beforeAll, describe, it } from 'vitest'
import { admin, newOperatorKey, uniqueName } from '../support/admin-client'

let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

describe('management API: tenants', () => {
  it('creates a tenant (201, no token), gets it and finds it in the list', async ({ expect }) => {
    const name = uniqueName()
    const created = await admin('/tenants', {
      key,
      body: { name, label: 'Acme', metadata: { customerId: 'c1' } },
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/admin/v1/tenants/${name}`)
    expect(created.json).toMatchObject({
      name,
      status: 'active',
      db: 'DB',
      label: 'Acme',
      tokens: [],
      counts: { users: 0, groups: 0 },
    })
    expect(created.json.scimBaseUrl).toBe(`https://${name}.scim.example.com/scim/v2`)
    const got = await admin(`/tenants/${name}`, { key })
    expect(got.status).toBe(200)
    expect(got.json).toMatchObject({ name, metadata: { customerId: 'c1' } })
    const list = await admin(`/tenants?limit=200&cursor=${name.slice(0, -1)}`, { key })
    expect(list.json.tenants.map((t: { name: string }) => t.name)).toContain(name)
  })
})
