import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { BULK_REQUEST, SEARCH_REQUEST } from '../../src/schema/urns'
import { createGroup, createUser, ENTERPRISE, ERROR, GROUP, LIST, patchOp, USER } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

// Requests of Microsoft's SCIMReferenceCode Postman collection (PostmanCollection.json) and its
// "SCIM Inbound" collection, replayed with the answers they expect, or with the answer the README's
// compatibility notes document where this server deliberately differs.

const ids = (res: { json: { Resources: { id: string }[] } }) => res.json.Resources.map((r) => r.id).sort()
const memberIds = async (tenant: TestTenant, id: string) =>
  ((await scim(tenant, `/Groups/${id}`)).json.members ?? []).map((m: { value: string }) => m.value).sort()

describe('endpoint names in any letter case', () => {
  it('"Get empty Users": GET /users is GET /Users', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/users')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ schemas: [LIST], totalResults: 0 })
  })

  it.for([
    ['GET', '/GROUPS', 200],
    ['GET', '/groups/', 200],
    ['GET', '/serviceproviderconfig', 200],
    ['GET', '/SCHEMAS', 200],
    ['GET', '/resourceTypes', 200],
    ['GET', '/ME', 501],
    ['DELETE', '/users', 405],
    ['GET', '/bulk', 405],
  ] as const)('%s %s answers like the canonical name: %i', async ([method, path, status], { expect }) => {
    const tenant = await createTenant()
    expect((await scim(tenant, path, { method })).status).toBe(status)
  })

  it('a user created at /USERS is read back at /Users/{id}, whose id keeps its case', async ({ expect }) => {
    const tenant = await createTenant()
    const created = await scim(tenant, '/USERS', { body: { schemas: [USER], userName: 'Case@example.com' } })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`${tenant.baseUrl}/Users/${created.json.id}`)
    expect((await scim(tenant, `/users/${created.json.id}`)).json.userName).toBe('Case@example.com')
    expect((await scim(tenant, `/Users/${created.json.id.toUpperCase()}`)).status).toBe(404)
  })

  it('.search in any case, on /users and at the root', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'search@example.com')
    const search = { schemas: [SEARCH_REQUEST], filter: 'userName eq "search@example.com"' }
    for (const path of ['/users/.SEARCH', '/.Search']) {
      const res = await scim(tenant, path, { body: search })
      expect(res.status).toBe(200)
      expect(ids(res)).toEqual([user.id])
    }
  })

  describe('the request log sees the canonical form', () => {
    let lines: string[] = []
    beforeEach(() => {
      lines = []
      vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)))
    })
    afterEach(() => vi.restoreAllMocks())

    it('logs /users/.SEARCH as the route /scim/v2/Users/.search', async ({ expect }) => {
      const tenant = await createTenant()
      await scim(tenant, '/users/.SEARCH', { body: { schemas: [SEARCH_REQUEST] } })
      const routes = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).route)
      expect(routes).toContain('/scim/v2/Users/.search')
    })
  })

  it("/bulk applies /Bulk's own body limit and names maxPayloadSize", async ({ expect }) => {
    const tenant = await createTenant()
    const body = JSON.stringify({ schemas: [BULK_REQUEST], Operations: [], pad: 'x'.repeat(1024 * 1024) })
    const res = await scim(tenant, '/bulk', { body })
    expect(res.status).toBe(413)
    expect(res.json.detail).toContain('maxPayloadSize')
  })

  it('"Get ServiceProviderConfig" at /serviceConfiguration is 404 (README: compatibility notes)', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/serviceConfiguration')
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '404' })
  })
})

describe('group members as bare ids', () => {
  it('"Group patch add member": value "string id 1" names no member, so it is skipped with 204', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const group = await createGroup(tenant, 'Group1DisplayName')
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: {
        id: group.id,
        Operations: [{ op: 'add', path: 'members', value: 'string id 1' }],
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      },
    })
    expect(res.status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([])
  })

  it('a bare id, or a list of them, that names a user adds and removes it', async ({ expect }) => {
    const tenant = await createTenant()
    const [a, b] = [await createUser(tenant, 'a@example.com'), await createUser(tenant, 'b@example.com')]
    const group = await createGroup(tenant, 'Bare ids')
    const patch = (op: unknown) => scim(tenant, `/Groups/${group.id}`, { method: 'PATCH', body: patchOp(op) })
    expect((await patch({ op: 'add', path: 'members', value: a.id })).status).toBe(204)
    expect((await patch({ op: 'add', path: 'members', value: [b.id, 'no-such-id'] })).status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([a.id, b.id].sort())
    expect((await patch({ op: 'remove', path: 'members', value: [a.id] })).status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([b.id])
  })

  it.for([[''], [42], [[{ display: 'no value' }]]])(
    'refuses %j as a member with 400 invalidValue',
    async ([value], { expect }) => {
      const tenant = await createTenant()
      const group = await createGroup(tenant, 'Bad members')
      const res = await scim(tenant, `/Groups/${group.id}`, {
        method: 'PATCH',
        body: patchOp({ op: 'add', path: 'members', value: value === '' ? [''] : value }),
      })
      expect(res.status).toBe(400)
      expect(res.json.scimType).toBe('invalidValue')
    },
  )
})

describe('"User tests with garbage": unquoted filter values', () => {
  async function garbageUsers(tenant: TestTenant) {
    const employee = (userName: string, email: string) =>
      createUser(tenant, userName, {
        name: { familyName: 'Employee', givenName: userName },
        emails: [{ type: 'work', value: email, primary: true }],
      })
    return {
      omalley: await createUser(tenant, 'OMalley'),
      emp1: await employee('emp1', 'emp1@example.com'),
      emp2: await employee('emp2', 'emp2@example.org'),
      emp3: await employee('emp3', 'emp3@example.net'),
    }
  }

  it('name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { emp1, emp2 } = await garbageUsers(tenant)
    const filter =
      'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)'
    const res = await scim(tenant, `/Users?filter=${filter}`)
    expect(res.status).toBe(200)
    expect(ids(res)).toEqual([emp1.id, emp2.id].sort())
  })

  it('userName sw O', async ({ expect }) => {
    const tenant = await createTenant()
    const { omalley } = await garbageUsers(tenant)
    const res = await scim(tenant, '/Users?filter=userName sw O')
    expect(ids(res)).toEqual([omalley.id])
  })

  it('meta.Created gt 2015-10-10T14:38:21.8617979-07:00 (and a date-time in the future matches none)', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    await garbageUsers(tenant)
    const since = await scim(tenant, '/Users?filter=meta.Created gt 2015-10-10T14:38:21.8617979-07:00')
    expect(since.json.totalResults).toBe(4)
    const future = await scim(
      tenant,
      `/Users?${new URLSearchParams({ filter: 'meta.created gt 2999-01-01T00:00:00+01:00' })}`,
    )
    expect(future.json.totalResults).toBe(0)
  })
})

describe('"SCIM Inbound": a dot before the attribute of a URN-qualified PATCH path', () => {
  it('urn:…:enterprise:2.0:User.manager replaces the manager like urn:…:enterprise:2.0:User:manager', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const manager = await createUser(tenant, 'manager@example.com')
    const user = await createUser(tenant, 'report@example.com')
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: `${ENTERPRISE}.manager`, value: manager.id }),
    })
    expect(res.status).toBe(200)
    expect(res.json[ENTERPRISE].manager.value).toBe(manager.id)
    const unknown = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: `${ENTERPRISE}.shoeSize`, value: 42 }),
    })
    expect(unknown.status).toBe(400)
    expect(unknown.json.scimType).toBe('invalidPath')
  })
})

describe('limosa-io/scimverify', () => {
  it('compares Content-Type exactly with application/scim+json', async ({ expect }) => {
    const tenant = await createTenant()
    for (const res of [await scim(tenant, '/Users'), await scim(tenant, '/Users/nope')]) {
      expect(res.headers.get('content-type')).toBe('application/scim+json')
    }
  })

  it('a body nesting core attributes under the core URN gets 400 saying why it was not read', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users', {
      body: { schemas: [USER], [USER]: { userName: 'nested@example.com' } },
    })
    expect(res.status).toBe(400)
    expect(res.json.scimType).toBe('invalidValue')
    expect(res.json.detail).toBe(
      `Attribute 'userName' is required in a POST User; core attributes belong at the top level of the body (RFC 7643 §3), the object under '${USER}' is not read`,
    )
    const group = await scim(tenant, '/Groups', { body: { schemas: [GROUP], [GROUP]: { displayName: 'g' } } })
    expect(group.json.detail).toContain(`the object under '${GROUP}' is not read`)
  })
})
