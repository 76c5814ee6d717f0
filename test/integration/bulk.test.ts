import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/limits'
import { MAX_BULK_PAYLOAD_BYTES, maxBulkOperations } from '../../src/resources/bulk/bulk-limits'
import { createGroup, createUser, ERROR, GROUP, oktaUser, PATCH_OP, patchOp, USER } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse'

const bulk = (tenant: TestTenant, Operations: unknown[], extra: Record<string, unknown> = {}) =>
  scim(tenant, '/Bulk', { body: { schemas: [BULK_REQUEST], Operations, ...extra } })

const postUser = (bulkId: string, userName = `${bulkId}-${crypto.randomUUID()}@example.com`, extra = {}) => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: oktaUser(userName, extra),
})

const memberIds = async (tenant: TestTenant, id: string) =>
  ((await scim(tenant, `/Groups/${id}`)).json.members as { value: string }[]).map((m) => m.value).sort()

const userCount = async (tenant: TestTenant) =>
  (
    await env.DB.prepare('SELECT count(*) AS n FROM users WHERE tenant_id = ?')
      .bind(tenant.name)
      .first<{ n: number }>()
  )?.n

describe('bulk (RFC 7644 §3.7)', () => {
  it('resolves a bulkId that an earlier POST declares, in members, in a path and in manager', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await bulk(tenant, [
      postUser('alice'),
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'team',
        data: { schemas: [GROUP], displayName: 'Team', members: [{ value: 'bulkId:alice' }] },
      },
      postUser('bob', undefined, {
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'bulkId:alice' } },
      }),
      {
        method: 'PATCH',
        path: '/Groups/bulkId:team',
        data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:bob' }] }),
      },
      {
        method: 'PATCH',
        path: '/Users/bulkId:alice',
        data: patchOp({ op: 'replace', path: 'title', value: 'Lead' }),
      },
    ])
    expect(res.status).toBe(200)
    const ops = res.json.Operations
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['201', '201', '201', '200', '200'])
    const id = (i: number) => (ops[i].location as string).split('/').pop() as string
    expect(await memberIds(tenant, id(1))).toEqual([id(0), id(2)].sort())
    const bob = await scim(tenant, `/Users/${id(2)}`)
    expect(bob.json['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].manager.value).toBe(id(0))
    expect((await scim(tenant, `/Users/${id(0)}`)).json.title).toBe('Lead')
  })

  it('does not register the bulkId of an operation other than POST: a reference to it gets 409', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const existing = await createUser(tenant, 'existing@example.com')
    const group = await createGroup(tenant, 'Target')
    const res = await bulk(tenant, [
      {
        method: 'PATCH',
        path: `/Users/${existing.id}`,
        bulkId: 'patched',
        data: patchOp({ op: 'replace', path: 'title', value: 'Patched' }),
      },
      {
        method: 'PUT',
        path: `/Groups/${group.id}`,
        bulkId: 'replaced',
        data: { schemas: [GROUP], displayName: 'Target' },
      },
      {
        method: 'PATCH',
        path: `/Groups/${group.id}`,
        data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:patched' }] }),
      },
      { method: 'DELETE', path: '/Groups/bulkId:replaced' },
    ])
    expect(res.status).toBe(200)
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['200', '200', '409', '409'])
    expect(await memberIds(tenant, group.id)).toEqual([])
    expect((await scim(tenant, `/Groups/${group.id}`)).status).toBe(200)
  })

  it('creates 3 users and a group whose members reference them by bulkId in one request, in reverse order', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await bulk(tenant, [
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'team',
        data: {
          schemas: [GROUP],
          displayName: 'Tour Guides',
          members: [{ value: 'bulkId:alice' }, { value: 'bulkId:bob' }, { value: 'bulkId:carol' }],
        },
      },
      postUser('alice'),
      postUser('bob'),
      postUser('carol'),
    ])
    expect(res.status).toBe(200)
    expect(res.json.schemas).toEqual([BULK_RESPONSE])
    const ops = res.json.Operations
    expect(ops.map((o: { bulkId: string; status: string }) => [o.bulkId, o.status])).toEqual([
      ['team', '201'],
      ['alice', '201'],
      ['bob', '201'],
      ['carol', '201'],
    ])
    expect(ops[1]).toMatchObject({ method: 'POST', version: 'W/"1"' })
    expect(ops[1].location).toMatch(new RegExp(`^${tenant.baseUrl}/Users/`))
    const userIds = ops.slice(1).map((o: { location: string }) => o.location.split('/').pop())
    const groupId = ops[0].location.split('/').pop()
    expect(await memberIds(tenant, groupId)).toEqual(userIds.sort())
    // Users in one batch, then the group that needs them: two round trips.
    expect(roundTrips(res.headers)).toBe(2)
  })

  it('runs POST, PUT, PATCH and DELETE in one request, resolving bulkId in paths', async ({ expect }) => {
    const tenant = await createTenant()
    const kept = await createUser(tenant, 'kept@example.com')
    const gone = await createUser(tenant, 'gone@example.com')
    const res = await bulk(tenant, [
      {
        method: 'PATCH',
        path: '/Groups/bulkId:g',
        data: patchOp({ op: 'add', path: 'members', value: [{ value: kept.id }] }),
      },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Mixed' } },
      {
        method: 'PUT',
        path: `/Users/${kept.id}`,
        data: oktaUser('kept@example.com', { displayName: 'Kept' }),
      },
      { method: 'DELETE', path: `/Users/${gone.id}` },
    ])
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['200', '201', '200', '204'])
    const groupId = res.json.Operations[1].location.split('/').pop()
    expect(res.json.Operations[0]).toMatchObject({ method: 'PATCH', version: 'W/"2"' })
    expect(res.json.Operations[0].location).toBe(`${tenant.baseUrl}/Groups/${groupId}`)
    expect(await memberIds(tenant, groupId)).toEqual([kept.id])
    expect((await scim(tenant, `/Users/${kept.id}`)).json.displayName).toBe('Kept')
    expect((await scim(tenant, `/Users/${gone.id}`)).status).toBe(404)
  })

  it('a failing operation changes nothing and the others succeed', async ({ expect }) => {
    const tenant = await createTenant()
    await createUser(tenant, 'taken@example.com')
    const res = await bulk(tenant, [
      postUser('a'),
      postUser('dup', 'TAKEN@example.com'),
      postUser('b'),
      {
        method: 'PATCH',
        path: '/Users/nope',
        data: patchOp({ op: 'replace', path: 'active', value: false }),
      },
      { method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
    ])
    const ops = res.json.Operations
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['201', '409', '201', '404', '404'])
    expect(ops[1].response).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' })
    expect(ops[1].location).toBeUndefined()
    expect(await userCount(tenant)).toBe(3)
  })

  it('stops after failOnErrors errors; the rest is neither run nor reported', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await bulk(
      tenant,
      [
        postUser('a'),
        { method: 'DELETE', path: '/Users/missing-1' },
        postUser('b'),
        { method: 'DELETE', path: '/Users/missing-2' },
        postUser('c'),
      ],
      { failOnErrors: 2 },
    )
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '404', '201', '404'])
    expect(await userCount(tenant)).toBe(2)
  })

  it('checks version like If-Match: 412 on a mismatch, applied on a match', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'v@example.com')
    const res = await bulk(tenant, [
      {
        method: 'PATCH',
        path: `/Users/${user.id}`,
        version: 'W/"7"',
        data: patchOp({ op: 'replace', path: 'displayName', value: 'X' }),
      },
      { method: 'DELETE', path: `/Users/${user.id}`, version: 'W/"9"' },
      {
        method: 'PATCH',
        path: `/Users/${user.id}`,
        version: 'W/"1"',
        data: patchOp({ op: 'replace', path: 'displayName', value: 'Y' }),
      },
    ])
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['412', '412', '200'])
    expect(res.json.Operations[2].version).toBe('W/"2"')
    expect((await scim(tenant, `/Users/${user.id}`)).json.displayName).toBe('Y')
  })

  it('refuses more than maxOperations and more than maxPayloadSize with 413 naming the limit', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const maxOperations = maxBulkOperations(DEFAULT_LIMITS)
    const many = Array.from({ length: maxOperations + 1 }, () => ({
      method: 'DELETE',
      path: '/Users/x',
    }))
    const tooMany = await bulk(tenant, many)
    expect(tooMany.status).toBe(413)
    expect(tooMany.json).toMatchObject({ schemas: [ERROR], status: '413' })
    expect(tooMany.json.detail).toContain(`maxOperations (${maxOperations}`)
    const big = await bulk(tenant, [
      postUser('big', 'big@example.com', { nickName: 'x'.repeat(MAX_BULK_PAYLOAD_BYTES) }),
    ])
    expect(big.status).toBe(413)
    expect(big.json.detail).toContain(`maxPayloadSize (${MAX_BULK_PAYLOAD_BYTES} bytes)`)
    expect(await userCount(tenant)).toBe(0)
  })

  it('fails circular references with 409 (§3.7.1) and runs the rest', async ({ expect }) => {
    const tenant = await createTenant()
    const group = (bulkId: string, member: string) => ({
      method: 'POST',
      path: '/Groups',
      bulkId,
      data: { schemas: [GROUP], displayName: bulkId, members: [{ value: `bulkId:${member}` }] },
    })
    const res = await bulk(tenant, [
      group('a', 'b'),
      group('b', 'a'),
      {
        method: 'PATCH',
        path: '/Groups/bulkId:a',
        data: patchOp({ op: 'replace', path: 'displayName', value: 'A' }),
      },
      postUser('fine'),
    ])
    const ops = res.json.Operations
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['409', '409', '409', '201'])
    expect(ops[0].response.detail).toContain('Circular')
  })

  it('fails an operation referencing an unknown or failed bulkId with 409', async ({ expect }) => {
    const tenant = await createTenant()
    await createUser(tenant, 'taken@example.com')
    const res = await bulk(tenant, [
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g1',
        data: { schemas: [GROUP], displayName: 'G1', members: [{ value: 'bulkId:ghost' }] },
      },
      postUser('dup', 'taken@example.com'),
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g2',
        data: { schemas: [GROUP], displayName: 'G2', members: [{ value: 'bulkId:dup' }] },
      },
    ])
    const ops = res.json.Operations
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['409', '409', '409'])
    expect(ops[0].response.detail).toContain('"ghost"')
    expect(ops[2].response.detail).toContain('"dup"')
  })

  it('answers 400 invalidSyntax without the BulkRequest schema, and for a POST without bulkId', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Bulk', { body: { schemas: [PATCH_OP], Operations: [] } })
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' })
    const noBulkId = await bulk(tenant, [{ method: 'POST', path: '/Users', data: oktaUser('x@example.com') }])
    expect(noBulkId.json.Operations[0]).toMatchObject({
      status: '400',
      response: { scimType: 'invalidSyntax' },
    })
    expect((await scim(tenant, '/Bulk')).status).toBe(405)
  })

  it('creates 10 independent users in one round trip', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await bulk(
      tenant,
      Array.from({ length: 10 }, (_, i) => postUser(`u${i}`)),
    )
    expect(res.json.Operations.every((o: { status: string }) => o.status === '201')).toBe(true)
    expect(roundTrips(res.headers)).toBe(1)
    expect(await userCount(tenant)).toBe(10)
  })

  it("answers 404 in the operation for another tenant's id", async ({ expect }) => {
    const tenant = await createTenant()
    const other = await createTenant()
    const stranger = await createUser(other, 'stranger@example.com')
    const strangers = await createGroup(other, 'Strangers')
    const res = await bulk(tenant, [
      { method: 'PUT', path: `/Users/${stranger.id}`, data: oktaUser('mine@example.com') },
      {
        method: 'PATCH',
        path: `/Groups/${strangers.id}`,
        data: patchOp({ op: 'replace', path: 'displayName', value: 'Mine' }),
      },
      { method: 'DELETE', path: `/Users/${stranger.id}` },
    ])
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404', '404'])
    expect((await scim(other, `/Users/${stranger.id}`)).json.userName).toBe('stranger@example.com')
  })

  it('attributes a failure inside an optimistic batch and keeps the others', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await bulk(tenant, [
      postUser('a', 'same@example.com'),
      postUser('b'),
      postUser('c', 'SAME@example.com'),
    ])
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '409'])
    expect(await userCount(tenant)).toBe(2)
  })

  it("fails an operation whose data lacks its resource's schema URN with 400, alone", async ({ expect }) => {
    const tenant = await createTenant()
    const res = await bulk(tenant, [
      { method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: [GROUP], userName: 'x@example.com' } },
      { method: 'POST', path: '/Users', bulkId: 'y', data: { schemas: [USER], userName: 'y@example.com' } },
    ])
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['400', '201'])
  })
})
