import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { createUser, patchOp } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

/** Changes a user's row as another isolate's write would: new content, next version. */
async function writeBehind(tenant: TestTenant, id: string, path: string, value: unknown) {
  await env.DB.prepare(
    `UPDATE users SET version = version + 1, resource = json_set(resource, ?, json(?))
     WHERE tenant_id = ? AND id = ?`,
  )
    .bind(path, JSON.stringify(value), tenant.name, id)
    .run()
}

const stored = async (tenant: TestTenant, id: string) => (await scim(tenant, `/Users/${id}`)).json

describe('a write right after this isolate saw the user skips its read (issue #19)', () => {
  it('patches a user it just created in one round trip', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'one.trip@example.com')
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'name.givenName', value: 'Renamed' }),
    })
    expect(res.status).toBe(200)
    expect(roundTrips(res.headers)).toBe(1)
    expect(res.json.name.givenName).toBe('Renamed')
    expect(res.json.meta.version).toBe('W/"2"')
    expect((await stored(tenant, user.id)).name.givenName).toBe('Renamed')
  })

  it('replaces a user it just read in one round trip', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'read.then.put@example.com')
    await writeBehind(tenant, user.id, '$.title', 'Read')
    const read = await stored(tenant, user.id)
    const res = await scim(tenant, `/Users/${user.id}`, { method: 'PUT', body: { ...read, title: 'Put' } })
    expect(res.status).toBe(200)
    expect(roundTrips(res.headers)).toBe(1)
    expect(res.json.title).toBe('Put')
    expect(res.json.meta.version).toBe('W/"3"')
  })

  it('loses nothing another writer changed since: the stale guess fails whole and a fresh read decides', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'stale@example.com')
    await writeBehind(tenant, user.id, '$.title', 'Written elsewhere')
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'name.givenName', value: 'Renamed' }),
    })
    expect(res.status).toBe(200)
    expect(roundTrips(res.headers)).toBe(3)
    const now = await stored(tenant, user.id)
    expect(now.title).toBe('Written elsewhere')
    expect(now.name.givenName).toBe('Renamed')
    expect(now.meta.version).toBe('W/"3"')
  })

  it('writes a change that the stale guess says is already there', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'noop@example.com')
    await writeBehind(tenant, user.id, '$.active', false)
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', value: { active: true } }),
    })
    expect(res.status).toBe(200)
    expect(res.json.active).toBe(true)
    expect((await stored(tenant, user.id)).active).toBe(true)
  })

  it('applies a change that the stale guess cannot apply', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'no.target@example.com')
    const emails = [...user.emails, { value: 'home@example.com', type: 'home' }]
    await writeBehind(tenant, user.id, '$.emails', emails)
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'remove', path: 'emails[type eq "home"]' }),
    })
    expect(res.status).toBe(200)
    expect(res.json.emails).toEqual(user.emails)
  })

  it('answers If-Match from the stored version, not the guess', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'if.match@example.com')
    await writeBehind(tenant, user.id, '$.title', 'Moved on')
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      headers: { 'If-Match': 'W/"2"' },
      body: patchOp({ op: 'replace', path: 'name.givenName', value: 'Matched' }),
    })
    expect(res.status).toBe(200)
    expect(res.json.meta.version).toBe('W/"3"')
  })

  it('answers 404 for a user deleted elsewhere, whatever this isolate remembers', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'gone@example.com')
    await env.DB.prepare('DELETE FROM users WHERE tenant_id = ? AND id = ?').bind(tenant.name, user.id).run()
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'name.givenName', value: 'Ghost' }),
    })
    expect(res.status).toBe(404)
  })
})
