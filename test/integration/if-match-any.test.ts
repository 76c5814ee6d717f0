import { describe, it } from 'vitest'
import { createGroup, createUser, oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

// RFC 9110 §13.1.1 — `If-Match: *` holds whenever the resource exists: the write is unconditional.
const ANY = { 'if-match': '*' }

describe('If-Match: *', () => {
  it('lets PUT, PATCH and DELETE of an existing user through', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'any@example.com')
    const put = await scim(tenant, `/Users/${user.id}`, {
      method: 'PUT',
      body: oktaUser('any@example.com', { title: 'Put' }),
      headers: ANY,
    })
    expect(put.status, put.text).toBe(200)
    const patch = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'title', value: 'Patched' }),
      headers: ANY,
    })
    expect(patch.status, patch.text).toBe(200)
    expect(patch.json.title).toBe('Patched')
    expect(patch.headers.get('etag')).toBe('W/"3"')
    const del = await scim(tenant, `/Users/${user.id}`, { method: 'DELETE', headers: ANY })
    expect(del.status, del.text).toBe(204)
    expect((await scim(tenant, `/Users/${user.id}`)).status).toBe(404)
  })

  it('lets a members-only PATCH and a DELETE of an existing group through', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'member@example.com')
    const group = await createGroup(tenant, 'Any')
    const patch = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }),
      headers: ANY,
    })
    expect(patch.status, patch.text).toBe(204)
    expect((await scim(tenant, `/Groups/${group.id}`)).json.members).toHaveLength(1)
    const rename = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Any renamed' }),
      headers: ANY,
    })
    expect(rename.status, rename.text).toBe(204)
    const del = await scim(tenant, `/Groups/${group.id}`, { method: 'DELETE', headers: ANY })
    expect(del.status, del.text).toBe(204)
  })

  it('still answers 404 for a resource that does not exist', async ({ expect }) => {
    const tenant = await createTenant()
    const missing = `/Users/${crypto.randomUUID()}`
    expect((await scim(tenant, missing, { method: 'DELETE', headers: ANY })).status).toBe(404)
    const patch = patchOp({ op: 'replace', path: 'title', value: 'x' })
    expect((await scim(tenant, missing, { method: 'PATCH', body: patch, headers: ANY })).status).toBe(404)
  })
})
