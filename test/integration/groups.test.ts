import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { createGroup, createUser, GROUP, patchOp } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'
import { callWith, faultyD1 } from '../support/wrapped-bindings'

const memberIds = async (tenant: TestTenant, id: string) =>
  ((await scim(tenant, `/Groups/${id}`)).json.members as { value: string }[]).map((m) => m.value).sort()

async function users(tenant: TestTenant, n: number) {
  const created = []
  for (let i = 0; i < n; i++)
    created.push(await createUser(tenant, `u${i}-${crypto.randomUUID()}@example.com`))
  return created.map((u) => u.id as string)
}

describe('groups', () => {
  it("creates Okta's and Entra's groups with 201 and members: []", async ({ expect }) => {
    const tenant = await createTenant()
    const okta = await scim(tenant, '/Groups', {
      body: { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] },
    })
    expect(okta.status).toBe(201)
    expect(okta.json).toMatchObject({ schemas: [GROUP], displayName: 'Test SCIMv2', members: [] })
    expect(roundTrips(okta.headers)).toBe(1)
    const entra = await scim(tenant, '/Groups', {
      body: {
        schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      },
    })
    expect(entra.status).toBe(201)
    expect(entra.json).toMatchObject({ displayName: 'displayName', externalId: '8aa1a0c0', members: [] })
  })

  it('creates a group with members, skipping ids that are not this tenant’s', async ({ expect }) => {
    const tenant = await createTenant()
    const other = await createTenant()
    const [u1, u2] = await users(tenant, 2)
    const stranger = await createUser(other, 'stranger@example.com')
    const group = await createGroup(tenant, 'Mixed', [u1!, u2!, stranger.id, crypto.randomUUID()])
    expect(group.members.map((m: { value: string }) => m.value).sort()).toEqual([u1, u2].sort())
    expect(group.members[0]).toMatchObject({
      type: 'User',
      $ref: expect.stringContaining(`${tenant.baseUrl}/Users/`),
    })
    expect(group.members[0].display).toBe('Test User')
  })

  it('answers a duplicate displayName in any case with 409 uniqueness', async ({ expect }) => {
    const tenant = await createTenant()
    await createGroup(tenant, 'Engineering')
    const res = await scim(tenant, '/Groups', { body: { schemas: [GROUP], displayName: 'ENGINEERING' } })
    expect(res.status).toBe(409)
    expect(res.json.scimType).toBe('uniqueness')
  })

  it("applies Okta's membership PATCH (remove by filter, add with display) with 204 in two round trips", async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [a, b] = await users(tenant, 2)
    const group = await createGroup(tenant, 'Okta push', [a!])
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp(
        { op: 'replace', value: { id: group.id, displayName: 'Okta push' } },
        { op: 'remove', path: `members[value eq "${a}"]` },
        { op: 'add', path: 'members', value: [{ value: b, display: 'test.user@okta.local' }] },
      ),
    })
    expect(res.status).toBe(204)
    expect(roundTrips(res.headers)).toBe(2)
    expect(await memberIds(tenant, group.id)).toEqual([b])
  })

  it("applies Entra's Add/Remove members with value lists and $ref null", async ({ expect }) => {
    const tenant = await createTenant()
    const [a, b, c] = await users(tenant, 3)
    const group = await createGroup(tenant, 'Entra', [a!, b!])
    const add = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: c }] }),
    })
    expect(add.status).toBe(204)
    const remove = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: a }] }),
    })
    expect(remove.status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([b, c].sort())
  })

  it('replaces members exactly, and records only the actual delta as events', async ({ expect }) => {
    const tenant = await createTenant()
    const [a, b, c] = await users(tenant, 3)
    const group = await createGroup(tenant, 'Replace', [a!, b!])
    await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'members', value: [{ value: b }, { value: c }] }),
    })
    expect(await memberIds(tenant, group.id)).toEqual([b, c].sort())
    const events = await env.DB.prepare(
      "SELECT operation, member_ids FROM scim_events WHERE tenant_id = ? AND resource_type = 'Group' ORDER BY seq",
    )
      .bind(tenant.name)
      .all<{ operation: string; member_ids: string | null }>()
    expect(events.results.map((e) => [e.operation, e.member_ids && JSON.parse(e.member_ids).sort()])).toEqual(
      [
        ['created', null],
        ['membersAdded', [a, b].sort()],
        ['membersRemoved', [a]],
        ['membersAdded', [c]],
      ],
    )
  })

  it('renames with Replace displayName and answers 200 with a projection when asked', async ({ expect }) => {
    const tenant = await createTenant()
    const group = await createGroup(tenant, 'Old')
    const res = await scim(tenant, `/Groups/${group.id}?excludedAttributes=members`, {
      method: 'PATCH',
      body: patchOp({ op: 'Replace', path: 'displayName', value: 'New' }),
    })
    expect(res.status).toBe(200)
    expect(res.json.displayName).toBe('New')
    expect(res.json.members).toBeUndefined()
    expect(res.json.meta.version).toBe('W/"2"')
  })

  it('GET with excludedAttributes=members reads no membership rows', async ({ expect }) => {
    const tenant = await createTenant()
    const [a] = await users(tenant, 1)
    const group = await createGroup(tenant, 'Lean', [a!])
    const res = await scim(tenant, `/Groups/${group.id}?excludedAttributes=members`)
    expect(res.json.members).toBeUndefined()
    expect(res.json.displayName).toBe('Lean')
  })

  it('adds 50 members in one PATCH in two round trips', async ({ expect }) => {
    const tenant = await createTenant()
    const ids = await users(tenant, 50)
    const group = await createGroup(tenant, 'Fifty')
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }),
    })
    expect(res.status).toBe(204)
    expect(roundTrips(res.headers)).toBe(2)
    expect(await memberIds(tenant, group.id)).toEqual([...ids].sort())
  })

  it('reads none of the members to answer a PATCH with 204: its cost follows the change, not the group', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [first, second, third] = await users(tenant, 3)
    const group = await createGroup(tenant, 'Large', [first!])
    /** The statements of the PATCH's write batch (the one with the guard; change-event delivery may follow it). */
    const writeBatch = async (query: string, member: string) => {
      const d1 = faultyD1(env.DB, () => undefined)
      const res = await callWith({ DB: d1.binding }, tenant, `/Groups/${group.id}${query}`, {
        method: 'PATCH',
        body: patchOp({ op: 'add', path: 'members', value: [{ value: member }] }),
      })
      const batch = d1.calls.find((call) =>
        call.sql.some((statement) => String(statement).includes('write_guard')),
      )
      return { status: res.status, statements: batch!.sql.length }
    }
    const plain = await writeBatch('', second!)
    const excluded = await writeBatch('?excludedAttributes=members', third!)
    expect(plain).toEqual({ status: 204, statements: excluded.statements })
    expect(excluded.status).toBe(200)
    // Asking for the members reads them: one statement more.
    expect((await writeBatch('?attributes=members', first!)).statements).toBe(excluded.statements + 1)
  })

  it('loses no member under 50 concurrent PATCHes adding distinct members', async ({ expect }) => {
    const tenant = await createTenant()
    const ids = await users(tenant, 50)
    const group = await createGroup(tenant, 'Busy')
    const results = await Promise.all(
      ids.map((id) =>
        scim(tenant, `/Groups/${group.id}`, {
          method: 'PATCH',
          body: patchOp({ op: 'add', path: 'members', value: [{ value: id }] }),
        }),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(204))
    expect(await memberIds(tenant, group.id)).toEqual([...ids].sort())
    expect((await scim(tenant, `/Groups/${group.id}`)).json.meta.version).toBe('W/"51"')
  })

  // The deterministic form of the race above: a competing write lands between this PATCH's read and
  // its write batch (injected into that batch, ahead of the guard). With If-Match naming the version
  // that was read, the guard must see the newer one and refuse it all.
  it('answers 412 and changes nothing when another write lands between the read and the write of a members-only PATCH with If-Match', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [a, b] = await users(tenant, 2)
    const group = await createGroup(tenant, 'Raced', [a!])
    const competingWrite = env.DB.prepare(
      'UPDATE groups SET version = version + 1 WHERE tenant_id = ? AND id = ?',
    ).bind(tenant.name, group.id)
    const d1 = faultyD1(env.DB, ({ kind, sql }) =>
      kind === 'batch' && sql.some((s) => s.includes('write_guard'))
        ? { inject: { at: 0, statement: competingWrite } }
        : undefined,
    )
    const res = await callWith({ DB: d1.binding }, tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: b }] }),
      headers: { 'if-match': 'W/"1"' },
    })
    expect(res.status, res.text).toBe(412)
    expect(
      d1.calls.filter((c) => c.kind === 'batch' && c.sql.some((s) => s.includes('write_guard'))),
    ).toHaveLength(1)
    const after = await scim(tenant, `/Groups/${group.id}`)
    expect(after.json.members.map((m: { value: string }) => m.value)).toEqual([a])
    expect(after.json.meta.version).toBe('W/"1"')
  })

  it("lists a user's direct and indirect groups, and refuses membership cycles", async ({ expect }) => {
    const tenant = await createTenant()
    const [u] = await users(tenant, 1)
    const inner = await createGroup(tenant, 'Inner', [u!])
    const outer = await createGroup(tenant, 'Outer', [inner.id])
    const user = await scim(tenant, `/Users/${u}`)
    expect(user.json.groups).toEqual([
      { value: inner.id, $ref: `${tenant.baseUrl}/Groups/${inner.id}`, display: 'Inner', type: 'direct' },
      { value: outer.id, $ref: `${tenant.baseUrl}/Groups/${outer.id}`, display: 'Outer', type: 'indirect' },
    ])
    // Outer already contains Inner: adding Outer to Inner (or a group to itself) would close a cycle.
    await scim(tenant, `/Groups/${inner.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: outer.id }, { value: inner.id }] }),
    })
    expect(await memberIds(tenant, inner.id)).toEqual([u])
  })

  it('deleting a user removes its memberships; deleting a group removes it from its parents', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [a, b] = await users(tenant, 2)
    const child = await createGroup(tenant, 'Child', [a!])
    const parent = await createGroup(tenant, 'Parent', [b!, child.id])
    await scim(tenant, `/Users/${a}`, { method: 'DELETE' })
    expect(await memberIds(tenant, child.id)).toEqual([])
    await scim(tenant, `/Groups/${child.id}`, { method: 'DELETE' })
    expect(await memberIds(tenant, parent.id)).toEqual([b])
    const rows = await env.DB.prepare(
      'SELECT count(*) AS n FROM group_members WHERE tenant_id = ? AND group_id = ?',
    )
      .bind(tenant.name, child.id)
      .first<{ n: number }>()
    expect(rows?.n).toBe(0)
  })

  it('PUT (Okta AIW) sets displayName and the member list exactly', async ({ expect }) => {
    const tenant = await createTenant()
    const [a, b] = await users(tenant, 2)
    const group = await createGroup(tenant, 'AIW', [a!])
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PUT',
      body: {
        schemas: [GROUP],
        id: group.id,
        displayName: 'AIW renamed',
        members: [{ value: b, display: 'b' }],
      },
    })
    expect(res.status).toBe(200)
    expect(res.json.displayName).toBe('AIW renamed')
    expect(res.json.members.map((m: { value: string }) => m.value)).toEqual([b])
  })

  it('refuses a malformed member value with 400 invalidValue', async ({ expect }) => {
    const tenant = await createTenant()
    const group = await createGroup(tenant, 'Strict')
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: 42 }] }),
    })
    expect(res.status).toBe(400)
    expect(res.json.scimType).toBe('invalidValue')
  })
})
