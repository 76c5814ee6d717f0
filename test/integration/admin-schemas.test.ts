import { beforeAll, describe, it } from 'vitest'
import acme from '../fixtures/extensions/acme-user.json'
import contoso from '../fixtures/extensions/contosoapp-user.json'
import { admin, newOperatorKey, onboard } from '../support/admin-client'
import { oktaUser } from '../support/fixtures'
import { scim } from '../support/scim-client'

let key: string

beforeAll(async () => {
  key = (await newOperatorKey()).key
})

const schemaIds = async (tenant: Awaited<ReturnType<typeof onboard>>) =>
  (await scim(tenant, '/Schemas')).json.Resources.map((s: { id: string }) => s.id)

describe('management API: extension schemas', () => {
  it('declares (resource type from the URN), lists, serves over SCIM, re-declares and removes', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const path = `/tenants/${tenant.name}/schemas`
    const declared = await admin(path, { key, body: { schema: acme } })
    expect(declared.status).toBe(201)
    expect(declared.json).toMatchObject({
      replaced: false,
      declaration: { resourceType: 'User', required: false },
    })
    expect(await schemaIds(tenant)).toContain(acme.id)
    const wider = { ...contoso, attributes: [...contoso.attributes, { name: 'siteCode', type: 'string' }] }
    expect((await admin(path, { key, body: { schema: contoso, required: true } })).status).toBe(201)
    expect((await admin(path, { key, body: { schema: wider, resourceType: 'User' } })).json.replaced).toBe(
      true,
    )
    const list = await admin(path, { key })
    expect(list.json.schemas.map((d: { schema: { id: string } }) => d.schema.id)).toEqual([
      acme.id,
      contoso.id,
    ])
    expect((await admin(`/tenants/${tenant.name}`, { key })).json.schemas).toEqual([acme.id, contoso.id])

    const removed = await admin(`${path}/${encodeURIComponent(acme.id.toLowerCase())}`, {
      key,
      method: 'DELETE',
    })
    expect(removed.json).toEqual({ removed: acme.id })
    expect(await schemaIds(tenant)).not.toContain(acme.id)
    const unknown = await admin(`${path}/urn:example:none:User`, { key, method: 'DELETE' })
    expect(unknown.status).toBe(404)
    expect(unknown.json.detail).toContain(`its schemas: ${contoso.id}`)
  })

  it('refuses an invalid schema with 422 and every problem, and declares nothing', async ({ expect }) => {
    const tenant = await onboard(key)
    const path = `/tenants/${tenant.name}/schemas`
    const bad = {
      id: 'urn:example:bad:User',
      attributes: [{ name: 'userName', type: 'string' }, { name: '9lives' }],
    }
    const res = await admin(path, { key, body: { schema: bad } })
    expect(res.status).toBe(422)
    expect(res.json.errors.join('\n')).toContain('attributes[1].name must be an attribute name')
    expect(res.json.errors.join('\n')).toContain('attributes[1].type is required')
    const thing = await admin(path, { key, body: { schema: { id: 'urn:example:x:Thing', attributes: [] } } })
    expect(thing.status).toBe(422)
    expect(thing.json.detail).toContain('Cannot tell which resource type')
    expect((await admin(path, { key, body: { schema: acme, resourceType: 'Device' } })).status).toBe(400)
    expect((await admin(path, { key, body: { schema: 'x' } })).status).toBe(400)
    expect((await admin(path, { key })).json.schemas).toEqual([])
  })

  it('refuses a type change of a declared attribute, and uniqueness existing users already break', async ({
    expect,
  }) => {
    const tenant = await onboard(key)
    const path = `/tenants/${tenant.name}/schemas`
    expect((await admin(path, { key, body: { schema: contoso } })).status).toBe(201)
    const retyped = { ...contoso, attributes: [{ name: 'costCenterCode', type: 'integer' }] }
    const refused = await admin(path, { key, body: { schema: retyped } })
    expect(refused.status).toBe(409)
    expect(refused.json.errors).toContain('costCenterCode: type string → integer')

    // Not unique at first: two users share a badge number; then uniqueness is asked for.
    const loose = { ...acme, attributes: acme.attributes.map((a) => ({ ...a, uniqueness: 'none' })) }
    expect((await admin(path, { key, body: { schema: loose } })).status).toBe(201)
    for (const userName of ['a@example.com', 'b@example.com']) {
      const body = { ...oktaUser(userName), [acme.id]: { badgeNumber: 'b-7' } }
      body.schemas = [...body.schemas, acme.id]
      expect((await scim(tenant, '/Users', { body })).status).toBe(201)
    }
    const duplicate = await admin(path, { key, body: { schema: acme } })
    expect(duplicate.status).toBe(409)
    expect(duplicate.json.detail).toContain(
      `${acme.id}:badgeNumber cannot be unique: existing Users share "b-7" (2 resources)`,
    )
  })
})
