import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/limits'
import { listResources } from '../../src/query/list'
import { parseListQuery } from '../../src/query/list-params'
import { builtinRegistry } from '../../src/schema/builtin'
import { createGroup, createUser, ENTERPRISE, ERROR, GROUP, LIST, patchOp, USER } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

const q = (filter: string) => encodeURIComponent(filter)

/** GET with a filter, asserting what every list answer must be: 200, a ListResponse, one D1 round trip. */
async function list(tenant: TestTenant, path: string) {
  const res = await scim(tenant, path)
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`)
  if (!res.headers.get('content-type')?.startsWith('application/scim+json')) throw new Error('not scim+json')
  if (roundTrips(res.headers) !== 1) throw new Error(`GET ${path}: ${roundTrips(res.headers)} D1 round trips`)
  return res.json
}

const ids = (body: { Resources: { id: string }[] }) => body.Resources.map((r) => r.id).sort()

describe('Okta (okta.md §1–2)', () => {
  it('answers the spec test: first user page, unknown userName, upper-cased userName, groups', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'Runscope123Abcdefgh456@atko.com')
    const first = await list(tenant, '/Users?count=1&startIndex=1')
    expect(first).toMatchObject({ schemas: [LIST], totalResults: 1, itemsPerPage: 1, startIndex: 1 })
    const [r] = first.Resources
    expect([r.id, r.name.familyName, r.name.givenName, r.userName, r.emails[0].value].every(Boolean)).toBe(
      true,
    )
    expect(r.active).toBe(true)

    const none = await list(tenant, `/Users?filter=${q('userName eq "abcdefgh@atko.com"')}`)
    expect(none).toEqual({ schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] })

    const upper = await list(tenant, `/Users?filter=${q('userName eq "RUNSCOPE123ABCDEFGH456@ATKO.COM"')}`)
    expect(ids(upper)).toEqual([user.id])

    const groups = await list(tenant, '/Groups')
    expect(groups).toMatchObject({ totalResults: 0, Resources: [] })
  })

  it('finds a user by userName encoded with %20 or with +, and inactive users too', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'test.user@okta.local', { active: false })
    const encoded = await list(
      tenant,
      '/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100',
    )
    expect(ids(encoded)).toEqual([user.id])
    expect(encoded.Resources[0].active).toBe(false)
    const plus = await list(tenant, '/Users?filter=userName+eq+%22test.user%40okta.local%22')
    expect(ids(plus)).toEqual([user.id])
  })

  it('finds groups by displayName and users by externalId', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'ext@okta.local', { externalId: '00ujl29u0le5T6Aj10h7' })
    const group = await createGroup(tenant, 'Test SCIMv2')
    await createGroup(tenant, 'Test SCIMv2 and more')
    const byName = await list(
      tenant,
      '/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100',
    )
    expect(ids(byName)).toEqual([group.id])
    expect(ids(await list(tenant, `/Users?filter=${q('externalId eq "00ujl29u0le5T6Aj10h7"')}`))).toEqual([
      user.id,
    ])
    // externalId is caseExact (RFC 7643 §3.1).
    expect(
      (await list(tenant, `/Users?filter=${q('externalId eq "00UJL29U0LE5T6AJ10H7"')}`)).totalResults,
    ).toBe(0)
  })

  it('pages imports by startIndex in a stable order', async ({ expect }) => {
    const tenant = await createTenant()
    for (let i = 0; i < 5; i++) await createUser(tenant, `import${i}@okta.local`)
    const seen: string[] = []
    for (let startIndex = 1; startIndex <= 5; startIndex += 2) {
      const page = await list(tenant, `/Users?startIndex=${startIndex}&count=2`)
      expect(page).toMatchObject({ totalResults: 5, startIndex, itemsPerPage: Math.min(2, 6 - startIndex) })
      seen.push(...page.Resources.map((r: { userName: string }) => r.userName))
    }
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `import${i}@okta.local`))
  })

  it('rejects a bare value as a filter with 400 invalidFilter', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users?filter=JOHN@EXAMPLE.COM')
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidFilter' })
  })
})

describe('Microsoft Entra ID (entra.md)', () => {
  it('answers Test Connection with an empty ListResponse, and matches by externalId and work email', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const empty = await list(tenant, `/Users?filter=${q(`userName eq "${crypto.randomUUID()}"`)}`)
    expect(empty).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] })

    const shared = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'
    const a = await createUser(tenant, 'Test_User_00aa@testuser.com', {
      externalId: shared,
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb@testuser.com' }],
    })
    const b = await createUser(tenant, 'Test_User_00ab@testuser.com', {
      externalId: shared,
      emails: [{ type: 'home', value: 'Test_User_11bb@testuser.com' }],
    })
    // Entra's collection gives several users one externalId: all of them match.
    expect(ids(await list(tenant, `/Users?filter=${q(`externalId eq "${shared}"`)}`))).toEqual(
      [a.id, b.id].sort(),
    )
    const work = await list(
      tenant,
      `/Users?filter=${q('emails[type eq "work"].value eq "test_user_11BB@testuser.com"')}`,
    )
    expect(ids(work)).toEqual([a.id])
    expect(
      ids(await list(tenant, `/Users?filter=${q('emails.Value eq "Test_User_11bb@testuser.com"')}`)),
    ).toEqual([a.id, b.id].sort())
    // Unquoted, as Microsoft's collection writes it: the same match.
    expect(ids(await list(tenant, `/Users?filter=externalId+eq+${shared}`))).toEqual([a.id, b.id].sort())
  })

  it('finds a group by displayName without reading its members', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'member@contoso.com')
    const group = await createGroup(tenant, 'displayName', [user.id])
    const res = await list(
      tenant,
      `/Groups?excludedAttributes=members&filter=${q('DisplayName eq "DISPLAYNAME"')}`,
    )
    expect(res.Resources).toEqual([
      expect.objectContaining({ id: group.id, displayName: 'displayName', schemas: [GROUP] }),
    ])
    expect(res.Resources[0].members).toBeUndefined()
  })

  it('answers membership checks: members[value eq], members eq with attributes=id', async ({ expect }) => {
    const tenant = await createTenant()
    const member = await createUser(tenant, 'in@contoso.com')
    const outsider = await createUser(tenant, 'out@contoso.com')
    const group = await createGroup(tenant, 'Checked', [member.id])
    const check = (userId: string) =>
      list(
        tenant,
        `/Groups?excludedAttributes=members&filter=${q(`id eq "${group.id}" and members[value eq "${userId}"]`)}`,
      )
    expect(ids(await check(member.id))).toEqual([group.id])
    expect((await check(member.id)).Resources[0].members).toBeUndefined()
    expect((await check(outsider.id)).totalResults).toBe(0)

    const older = await list(
      tenant,
      `/Groups?filter=${q(`id eq "${group.id}" and members eq "${member.id}"`)}&attributes=id`,
    )
    expect(older.Resources).toEqual([{ schemas: [GROUP], id: group.id }])
    const byValue = await list(tenant, `/Groups?filter=${q(`members.value eq "${member.id}"`)}`)
    expect(ids(byValue)).toEqual([group.id])
  })

  it('answers the manager check with the id only, or an empty list', async ({ expect }) => {
    const tenant = await createTenant()
    const manager = await createUser(tenant, 'boss@contoso.com')
    const user = await createUser(tenant, 'report@contoso.com', { [ENTERPRISE]: { manager: manager.id } })
    const hit = await list(
      tenant,
      `/Users?filter=${q(`id eq "${user.id}" and manager eq "${manager.id}"`)}&attributes=id`,
    )
    expect(hit.Resources).toEqual([{ schemas: [USER], id: user.id }])
    const miss = await list(
      tenant,
      `/Users?filter=${q(`id eq "${user.id}" and manager eq "${user.id}"`)}&attributes=id`,
    )
    expect(miss).toMatchObject({ totalResults: 0, Resources: [] })
  })

  it('routes /Users/ with a trailing slash, reads attribute names in any case and echoes startIndex', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'slash@contoso.com', {
      name: { givenName: 'Ann', familyName: 'Lee' },
    })
    const res = await list(tenant, `/Users/?filter=${q('name.FamilyName eq "LEE"')}&count=5&startIndex=1`)
    expect(res).toMatchObject({ startIndex: 1, itemsPerPage: 1, totalResults: 1 })
    expect(ids(res)).toEqual([user.id])
  })
})

describe('the rest of the filter grammar, in the database', () => {
  it('compares each type by its schema: case, booleans, dateTimes as instants, pr, ne, co/sw/ew', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const before = new Date(Date.now() - 1000).toISOString()
    const ann = await createUser(tenant, 'ann@x.example', {
      title: 'Chief Ünicode Officer',
      active: true,
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0199' }],
      [ENTERPRISE]: { employeeNumber: 'E-7', department: '' },
    })
    const bob = await createUser(tenant, 'bob@x.example', { active: false, externalId: undefined })
    const all = [ann.id, bob.id].sort()
    const find = async (filter: string) => ids(await list(tenant, `/Users?filter=${q(filter)}`))
    expect(await find('title co "ünicode"')).toEqual([ann.id])
    expect(await find('title sw "CHIEF"')).toEqual([ann.id])
    expect(await find('title ew "officer"')).toEqual([ann.id])
    expect(await find('title ne "x"')).toEqual(all)
    expect(await find('title pr')).toEqual([ann.id])
    expect(await find('not (title pr)')).toEqual([bob.id])
    expect(await find('active eq false')).toEqual([bob.id])
    expect(await find('active eq "True"')).toEqual([ann.id])
    expect(
      await find('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "e-7"'),
    ).toEqual([ann.id])
    expect(await find('department pr')).toEqual([])
    expect(await find('phoneNumbers[type eq "MOBILE" and value ew "0199"]')).toEqual([ann.id])
    expect(await find(`meta.created gt "${before.replace('Z', '+00:00')}"`)).toEqual(all)
    expect(await find(`meta.lastModified lt "${before}"`)).toEqual([])
    expect(await find('meta.resourceType eq "User" and userName lt "b"')).toEqual([ann.id])
    expect(await find('emails[type eq "work" and value sw "bob"]')).toEqual([bob.id])
  })

  it("finds users through their groups, direct and nested, and groups through a member's display", async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const direct = await createUser(tenant, 'direct@x.example', { displayName: 'Dee Rect' })
    const nested = await createUser(tenant, 'nested@x.example')
    const inner = await createGroup(tenant, 'Inner', [nested.id])
    const outer = await createGroup(tenant, 'Outer', [direct.id, inner.id])
    const users = async (filter: string) => ids(await list(tenant, `/Users?filter=${q(filter)}`))
    expect(await users(`groups.value eq "${outer.id}"`)).toEqual([direct.id, nested.id].sort())
    expect(await users(`groups[value eq "${outer.id}" and type eq "direct"]`)).toEqual([direct.id])
    expect(await users('groups[display eq "outer" and type eq "indirect"]')).toEqual([nested.id])
    expect(await users('groups pr')).toEqual([direct.id, nested.id].sort())
    const groups = async (filter: string) => ids(await list(tenant, `/Groups?filter=${q(filter)}`))
    expect(await groups('members[display eq "dee rect"]')).toEqual([outer.id])
    expect(await groups('members[type eq "group"]')).toEqual([outer.id])
    expect(await groups('not (members pr)')).toEqual([])
  })

  it('applies PATCH remove with a members filter to the membership rows', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'stay@x.example')
    const child = await createGroup(tenant, 'Child')
    const parent = await createGroup(tenant, 'Parent', [user.id, child.id])
    const res = await scim(tenant, `/Groups/${parent.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'remove', path: 'members[type eq "Group"]' }),
    })
    expect(res.status).toBeLessThan(300)
    const after = await list(tenant, `/Groups?filter=${q(`id eq "${parent.id}"`)}`)
    expect(after.Resources[0].members.map((m: { value: string }) => m.value)).toEqual([user.id])
  })
})

describe('filter safety', () => {
  it('treats SQL and JSON-path metacharacters in literals as data', async ({ expect }) => {
    const tenant = await createTenant()
    const tricky = `o'hara" OR 1=1 --$.[*]%_\\@x.example`
    const user = await createUser(tenant, tricky, { title: "'); DROP TABLE users; --" })
    await createUser(tenant, 'plain@x.example')
    const find = async (filter: string) => ids(await list(tenant, `/Users?filter=${q(filter)}`))
    expect(await find(`userName eq ${JSON.stringify(tricky)}`)).toEqual([user.id])
    expect(await find('userName co "%"')).toEqual([user.id])
    expect(await find('userName co "_"')).toEqual([user.id])
    expect(await find(`title eq "'); DROP TABLE users; --"`)).toEqual([user.id])
    expect(await find('title eq "x\') OR 1=1 --"')).toEqual([])
    expect(await find('userName co "$.["')).toEqual([user.id])
  })

  it('answers a filter at the parameter budget, 80 comparisons chained by or and by and, not a 500', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'budget@x.example')
    const names = Array.from({ length: 79 }, (_, i) => `userName eq "n${i}@x.example"`)
    const anyOf = [...names, 'userName eq "budget@x.example"'].join(' or ')
    expect(ids(await list(tenant, `/Users?filter=${q(anyOf)}`))).toEqual([user.id])
    const allOf = Array.from({ length: 80 }, () => 'userName ne "nobody@x.example"').join(' and ')
    expect(ids(await list(tenant, `/Users?filter=${q(allOf)}`))).toEqual([user.id])
  })

  it("never returns another tenant's resources, whatever the filter", async ({ expect }) => {
    const mine = await createTenant()
    const theirs = await createTenant()
    const own = await createUser(mine, 'shared@x.example')
    const other = await createUser(theirs, 'shared@x.example')
    const otherGroup = await createGroup(theirs, 'Theirs', [other.id])
    for (const filter of [
      'userName eq "shared@x.example"',
      `id eq "${other.id}"`,
      'not (userName eq "nobody")',
      'emails.value co "x"',
      `groups.value eq "${otherGroup.id}"`,
    ]) {
      const res = await list(mine, `/Users?filter=${q(filter)}`)
      expect(
        res.Resources.every((r: { id: string }) => r.id === own.id),
        filter,
      ).toBe(true)
    }
    expect((await list(mine, `/Groups?filter=${q(`members eq "${other.id}"`)}`)).totalResults).toBe(0)
    expect((await list(mine, '/Groups')).totalResults).toBe(0)
  })
})

describe('projection on lists (RFC 7644 §3.4.2.5)', () => {
  it('reads no membership rows when the projection leaves members out', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'm@x.example')
    await createGroup(tenant, 'G', [user.id])
    const statements: string[] = []
    const d1 = new Proxy(env.DB, {
      get(target, property) {
        if (property === 'prepare') {
          return (text: string) => {
            statements.push(text)
            return target.prepare(text)
          }
        }
        const value = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const ctx = {
      ...{ name: tenant.name, registry: builtinRegistry, baseUrl: tenant.baseUrl, d1 },
      limits: DEFAULT_LIMITS,
    } as never
    const excluded = await listResources(
      ctx,
      'Group',
      parseListQuery({ excludedAttributes: 'members' }),
      undefined,
    )
    expect(excluded.Resources[0]?.members).toBeUndefined()
    expect(statements.some((s) => s.includes('group_members'))).toBe(false)
    statements.length = 0
    const included = await listResources(ctx, 'Group', parseListQuery({}), undefined)
    expect(included.Resources[0]?.members).toEqual([expect.objectContaining({ value: user.id })])
    expect(statements.some((s) => s.includes('group_members'))).toBe(true)
  })

  it('returns id and schemas always, sub-attributes and URN-qualified names when asked', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    await createUser(tenant, 'p@x.example', { [ENTERPRISE]: { department: 'Ops' } })
    const res = await list(
      tenant,
      `/Users?attributes=${q(`name.givenName,emails.value,${ENTERPRISE}:department`)}`,
    )
    expect(res.Resources[0]).toEqual({
      schemas: [USER, ENTERPRISE],
      id: expect.any(String),
      name: { givenName: 'Test' },
      emails: [{ value: 'p@x.example' }],
      [ENTERPRISE]: { department: 'Ops' },
    })
  })
})
