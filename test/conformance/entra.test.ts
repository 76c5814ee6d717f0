import { describe, it } from 'vitest'
import { createGroup, ENTERPRISE, ERROR, GROUP, LIST, patchOp, USER } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

// Microsoft Entra ID, as /work/shared/idp/entra.md describes it: the request sequences of Microsoft's
// tutorial ("Develop and plan provisioning for a SCIM endpoint"), of the known-issues page with and
// without `aadOptscim062020`, of Microsoft's validator, and the quirks a server must tolerate. Each
// test is named after its source.

const ENTRA_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'
const ENTERPRISE_TYPO = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'
const SCIM_JSON = 'application/scim+json'

/** Entra URL-encodes filters with `+` for spaces and `%22` for quotes. */
const filterOf = (expression: string) => `filter=${encodeURIComponent(expression).replace(/%20/g, '+')}`

const patch = (tenant: TestTenant, path: string, ...operations: unknown[]) =>
  scim(tenant, path, { method: 'PATCH', body: patchOp(...operations) })

const idsOf = (res: { json: { Resources: { id: string }[] } }) => res.json.Resources.map((r) => r.id)

/** The tutorial's create-user body (example 1). */
function entraUser(extra: Record<string, unknown> = {}) {
  const userName = `Test_User_${crypto.randomUUID()}`
  return {
    schemas: [USER, ENTERPRISE],
    externalId: crypto.randomUUID(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: `${userName}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...extra,
  }
}

async function createEntraUser(tenant: TestTenant, extra: Record<string, unknown> = {}) {
  const body = entraUser(extra)
  const res = await scim(tenant, '/Users', { body })
  if (res.status !== 201) throw new Error(`create ${body.userName}: ${res.status} ${res.text}`)
  return { body, user: res.json }
}

/** The tutorial's create-group body: no members, Microsoft's non-RFC schema URI still listed. */
const entraGroup = (displayName: string) => ({
  schemas: [GROUP, ENTRA_GROUP],
  externalId: crypto.randomUUID(),
  displayName,
  meta: { resourceType: 'Group' },
})

const memberIds = async (tenant: TestTenant, id: string) =>
  ((await scim(tenant, `/Groups/${id}`)).json.members as { value: string }[]).map((m) => m.value).sort()

describe('entra.md — users, as the tutorial sends them', () => {
  it.for(['userName', 'externalId'])(
    'Tutorial — Test Connection: %s eq a random GUID is 200 with an empty ListResponse',
    async (attribute, { expect }) => {
      const tenant = await createTenant()
      await createEntraUser(tenant)
      const res = await scim(tenant, `/Users?${filterOf(`${attribute} eq "${crypto.randomUUID()}"`)}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(SCIM_JSON)
      expect(res.json).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] })
    },
  )

  it('Tutorial — Create user: 201 with id, meta.created, meta.lastModified and the values sent', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const body = entraUser()
    const res = await scim(tenant, '/Users', { body })
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBe(SCIM_JSON)
    expect(res.json.id).toBeTruthy()
    expect(res.json.meta.created).toBeTruthy()
    expect(res.json.meta.lastModified).toBeTruthy()
    expect(res.json.schemas).toContain(USER)
    expect(res.json).toMatchObject({
      externalId: body.externalId,
      userName: body.userName,
      active: true,
      emails: body.emails,
      name: body.name,
    })
  })

  it('Tutorial — Create user (example 2): nulls at the root and the …enterprise:2.0User typo are ignored', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const body = entraUser({
      schemas: [USER, ENTERPRISE_TYPO],
      displayName: 'Example Two',
      addresses: null,
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
      department: null,
      manager: null,
    })
    const res = await scim(tenant, '/Users', { body })
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({ userName: body.userName, displayName: 'Example Two', active: true })
    expect(res.json.schemas).toEqual([USER])
    for (const key of ['addresses', 'phoneNumbers', 'preferredLanguage', 'title', 'department', 'manager']) {
      expect(res.json, key).not.toHaveProperty(key)
    }
    expect(Object.keys(res.json)).not.toContain(ENTERPRISE_TYPO)
    expect((await scim(tenant, `/Users/${res.json.id}`)).json).toEqual(res.json)
  })

  it('Tutorial — Get user: 200 with the user, 404 SCIM error for an unknown id', async ({ expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await scim(tenant, `/Users/${user.id}`)
    expect(res.status).toBe(200)
    expect(res.json).toEqual(user)
    const missing = await scim(tenant, `/Users/${crypto.randomUUID()}`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toBe(SCIM_JSON)
    expect(missing.json).toMatchObject({ schemas: [ERROR], status: '404' })
    expect(missing.json.detail).toBeTruthy()
  })

  it.for([
    ['userName', (b: ReturnType<typeof entraUser>) => `userName eq "${b.userName}"`],
    ['externalId', (b: ReturnType<typeof entraUser>) => `externalId eq "${b.externalId}"`],
    [
      'the work email',
      (b: ReturnType<typeof entraUser>) => `emails[type eq "work"].value eq "${b.emails[0]!.value}"`,
    ],
  ] as const)(
    'Tutorial — Get user by query (%s): a ListResponse with exactly that user',
    async ([, filter], { expect }) => {
      const tenant = await createTenant()
      const { body, user } = await createEntraUser(tenant)
      await createEntraUser(tenant)
      const res = await scim(tenant, `/Users?${filterOf(filter(body))}`)
      expect(res.status).toBe(200)
      expect(res.json).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 })
      expect(res.json.Resources).toEqual([user])
    },
  )

  it('Tutorial — Get user by query (zero results): 200 with totalResults 0 and Resources []', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    await createEntraUser(tenant)
    const res = await scim(tenant, `/Users?${filterOf('userName eq "nobody@contoso.com"')}`)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] })
  })

  it('Tutorial — Update user (multi-valued properties): Replace a work email value path and name.familyName', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await patch(
      tenant,
      `/Users/${user.id}`,
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    )
    expect(res.status).toBe(200)
    expect(res.json.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }])
    expect(res.json.name).toEqual({ ...user.name, familyName: 'updatedFamilyName' })
    expect((await scim(tenant, `/Users/${user.id}`)).json).toEqual(res.json)
  })

  it('Tutorial — Update user (single-valued properties): Replace userName', async ({ expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const userName = `${crypto.randomUUID()}@testuser.com`
    const res = await patch(tenant, `/Users/${user.id}`, { op: 'Replace', path: 'userName', value: userName })
    expect(res.status).toBe(200)
    expect(res.json.userName).toBe(userName)
    const found = await scim(tenant, `/Users?${filterOf(`userName eq "${userName}"`)}`)
    expect(idsOf(found)).toEqual([user.id])
  })

  it.for([
    ['Tutorial — Disable user', { op: 'Replace', path: 'active', value: false }],
    ['Known issues — Disable user (default)', { op: 'Replace', path: 'active', value: 'False' }],
    ['aadOptscim062020 — Disable user (flag)', { op: 'replace', path: 'active', value: false }],
  ] as const)('%s: the user becomes active: false and stays visible', async ([, operation], { expect }) => {
    const tenant = await createTenant()
    const { body, user } = await createEntraUser(tenant)
    const res = await patch(tenant, `/Users/${user.id}`, operation)
    expect([200, 204]).toContain(res.status)
    const after = await scim(tenant, `/Users/${user.id}`)
    expect(after.json.active).toBe(false)
    const found = await scim(tenant, `/Users?${filterOf(`userName eq "${body.userName}"`)}`)
    expect(found.json.Resources.map((r: { id: string; active: unknown }) => [r.id, r.active])).toEqual([
      [user.id, false],
    ])
  })

  it('Quirks — re-enable with Replace active "True" or true, always read back as a boolean', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant, { active: 'False' })
    expect(user.active).toBe(false)
    for (const value of ['True', 'false', true]) {
      const res = await patch(tenant, `/Users/${user.id}`, { op: 'Replace', path: 'active', value })
      expect(res.status).toBe(200)
      expect(res.json.active).toBe(value === true || value === 'True')
    }
  })

  it('Tutorial — Delete user: 204, then 404 and gone from queries', async ({ expect }) => {
    const tenant = await createTenant()
    const { body, user } = await createEntraUser(tenant)
    const res = await scim(tenant, `/Users/${user.id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect((await scim(tenant, `/Users/${user.id}`)).status).toBe(404)
    const found = await scim(tenant, `/Users?${filterOf(`userName eq "${body.userName}"`)}`)
    expect(found.json.totalResults).toBe(0)
  })
})

describe('entra.md — groups, as the tutorial sends them', () => {
  it('Tutorial — Create group: 201 with members [] despite the non-RFC schema URI', async ({ expect }) => {
    const tenant = await createTenant()
    const body = entraGroup('displayName')
    const res = await scim(tenant, '/Groups', { body })
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({
      schemas: [GROUP],
      externalId: body.externalId,
      displayName: 'displayName',
      members: [],
    })
    expect(res.json.id).toBeTruthy()
  })

  it('Tutorial — Get group with excludedAttributes=members: no members key', async ({ expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const group = await createGroup(tenant, 'Get me', [user.id])
    const res = await scim(tenant, `/Groups/${group.id}?excludedAttributes=members`)
    expect(res.status).toBe(200)
    expect(res.json).not.toHaveProperty('members')
    expect(res.json).toMatchObject({ id: group.id, displayName: 'Get me' })
  })

  it('Tutorial — Get group by displayName with excludedAttributes=members: exactly that group, no members', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const group = await createGroup(tenant, 'displayName', [user.id])
    await createGroup(tenant, 'displayName two', [user.id])
    const res = await scim(
      tenant,
      `/Groups?excludedAttributes=members&${filterOf('displayName eq "displayName"')}`,
    )
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ schemas: [LIST], totalResults: 1 })
    expect(idsOf(res)).toEqual([group.id])
    expect(res.json.Resources[0]).not.toHaveProperty('members')
  })

  it('Tutorial — Update group (non-member attributes): Replace displayName answers 204', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const created = await scim(tenant, '/Groups', { body: entraGroup('displayName') })
    const displayName = `${crypto.randomUUID()}updatedDisplayName`
    const res = await patch(tenant, `/Groups/${created.json.id}`, {
      op: 'Replace',
      path: 'displayName',
      value: displayName,
    })
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect((await scim(tenant, `/Groups/${created.json.id}`)).json.displayName).toBe(displayName)
  })

  it('Tutorial — Update group (add members): Add with $ref null answers 204; adding again changes nothing', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [{ user: a }, { user: b }] = [await createEntraUser(tenant), await createEntraUser(tenant)]
    const group = await scim(tenant, '/Groups', { body: entraGroup('Add members') })
    for (let i = 0; i < 2; i++) {
      const res = await patch(tenant, `/Groups/${group.json.id}`, {
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: a.id },
          { $ref: null, value: b.id },
        ],
      })
      expect(res.status).toBe(204)
      expect(await memberIds(tenant, group.json.id)).toEqual([a.id, b.id].sort())
    }
  })

  it.for([
    [
      'Tutorial — Update group (remove members), default form',
      (id: string) => ({
        op: 'Remove',
        path: 'members',
        value: [{ $ref: null, value: id }],
      }),
    ],
    [
      'Known issues — Remove group member (default)',
      (id: string) => ({
        op: 'Remove',
        path: 'members',
        value: [{ value: id }],
      }),
    ],
    [
      'aadOptscim062020 — Remove group member (flag)',
      (id: string) => ({
        op: 'remove',
        path: `members[value eq "${id}"]`,
      }),
    ],
  ] as const)('%s: 204 and exactly that member removed', async ([, operation], { expect }) => {
    const tenant = await createTenant()
    const [{ user: a }, { user: b }] = [await createEntraUser(tenant), await createEntraUser(tenant)]
    const group = await createGroup(tenant, 'Remove members', [a.id, b.id])
    const res = await patch(tenant, `/Groups/${group.id}`, operation(a.id))
    expect(res.status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([b.id])
  })

  it('Quirks 5 — Remove on path members without a value removes all members', async ({ expect }) => {
    const tenant = await createTenant()
    const [{ user: a }, { user: b }] = [await createEntraUser(tenant), await createEntraUser(tenant)]
    const group = await createGroup(tenant, 'Remove all', [a.id, b.id])
    expect((await patch(tenant, `/Groups/${group.id}`, { op: 'Remove', path: 'members' })).status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([])
  })

  it('Tutorial — Delete group: 204, then 404', async ({ expect }) => {
    const tenant = await createTenant()
    const group = await scim(tenant, '/Groups', { body: entraGroup('Delete me') })
    const res = await scim(tenant, `/Groups/${group.json.id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect((await scim(tenant, `/Groups/${group.json.id}`)).status).toBe(404)
  })
})

describe('entra.md — membership and reference checks', () => {
  async function memberships() {
    const tenant = await createTenant()
    const [{ user: member }, { user: outsider }] = [
      await createEntraUser(tenant),
      await createEntraUser(tenant),
    ]
    const group = await createGroup(tenant, 'Checked', [member.id])
    await createGroup(tenant, 'Other', [member.id, outsider.id])
    return { tenant, member, outsider, group }
  }

  it('Tutorial — membership check: id eq "g" and members[value eq "u"] with excludedAttributes=members', async ({
    expect,
  }) => {
    const { tenant, member, outsider, group } = await memberships()
    const check = (uid: string) =>
      scim(
        tenant,
        `/Groups?excludedAttributes=members&${filterOf(`id eq "${group.id}" and members[value eq "${uid}"]`)}`,
      )
    const yes = await check(member.id)
    expect(yes.status).toBe(200)
    expect(idsOf(yes)).toEqual([group.id])
    expect(yes.json.Resources[0]).not.toHaveProperty('members')
    const no = await check(outsider.id)
    expect(no.status).toBe(200)
    expect(no.json).toMatchObject({ totalResults: 0, Resources: [] })
  })

  it('Tutorial (older shape) — membership check: id eq "g" and members eq "u" with attributes=id', async ({
    expect,
  }) => {
    const { tenant, member, outsider, group } = await memberships()
    const check = (uid: string) =>
      scim(tenant, `/Groups?${filterOf(`id eq "${group.id}" and members eq "${uid}"`)}&attributes=id`)
    const yes = await check(member.id)
    expect(yes.status).toBe(200)
    expect(idsOf(yes)).toEqual([group.id])
    expect(Object.keys(yes.json.Resources[0]).sort()).toEqual(['id', 'schemas'])
    const no = await check(outsider.id)
    expect(no.json).toMatchObject({ totalResults: 0, Resources: [] })
  })

  it('Tutorial Example 4 — reference check: id eq "u" and manager eq "m" with attributes=id', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user: manager } = await createEntraUser(tenant)
    const { user } = await createEntraUser(tenant, { [ENTERPRISE]: { manager: { value: manager.id } } })
    const check = (mid: string) =>
      scim(tenant, `/Users?${filterOf(`id eq "${user.id}" and manager eq "${mid}"`)}&attributes=id`)
    const yes = await check(manager.id)
    expect(yes.status).toBe(200)
    expect(idsOf(yes)).toEqual([user.id])
    expect(Object.keys(yes.json.Resources[0]).sort()).toEqual(['id', 'schemas'])
    const no = await check(crypto.randomUUID())
    expect(no.status).toBe(200)
    expect(no.json).toMatchObject({ totalResults: 0, Resources: [] })
  })
})

describe('entra.md — manager in every form', () => {
  const managerOf = async (tenant: TestTenant, id: string) =>
    (await scim(tenant, `/Users/${id}`)).json[ENTERPRISE]?.manager

  it('Tutorial Example 5 — Add manager as a [{$ref, value}] list on path manager', async ({ expect }) => {
    const tenant = await createTenant()
    const { user: manager } = await createEntraUser(tenant)
    const { user } = await createEntraUser(tenant)
    const res = await patch(tenant, `/Users/${user.id}`, {
      op: 'Add',
      path: 'manager',
      value: [{ $ref: `http://example.com/scim/Users/${manager.id}`, value: manager.id }],
    })
    expect(res.status).toBe(200)
    expect(res.json.schemas).toEqual([USER, ENTERPRISE])
    expect(await managerOf(tenant, user.id)).toEqual({
      value: manager.id,
      $ref: `${tenant.baseUrl}/Users/${manager.id}`,
    })
  })

  it('Validator — Add a plain id on the URN path, replace it with another, clear it with ""', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [{ user: m1 }, { user: m2 }, { user }] = [
      await createEntraUser(tenant),
      await createEntraUser(tenant),
      await createEntraUser(tenant),
    ]
    const path = `${ENTERPRISE}:manager`
    expect((await patch(tenant, `/Users/${user.id}`, { op: 'Add', path, value: m1.id })).status).toBe(200)
    expect((await managerOf(tenant, user.id))?.value).toBe(m1.id)
    expect((await patch(tenant, `/Users/${user.id}`, { op: 'replace', path, value: m2.id })).status).toBe(200)
    expect((await managerOf(tenant, user.id))?.value).toBe(m2.id)
    expect((await patch(tenant, `/Users/${user.id}`, { op: 'replace', path, value: '' })).status).toBe(200)
    expect(await managerOf(tenant, user.id)).toBeUndefined()
  })

  it('Quirks 9 — a {value} object on path manager, and an id no user has ("SuzzyQ"), are accepted', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await patch(tenant, `/Users/${user.id}`, {
      op: 'Replace',
      path: 'manager',
      value: { value: 'SuzzyQ' },
    })
    expect(res.status).toBe(200)
    expect(res.json[ENTERPRISE].manager.value).toBe('SuzzyQ')
    const cleared = await patch(tenant, `/Users/${user.id}`, { op: 'Replace', path: 'manager', value: '' })
    expect(cleared.json[ENTERPRISE]?.manager).toBeUndefined()
  })
})

describe("entra.md — Microsoft's validator: null and empty updates", () => {
  it('Validator — replace title "" then null for each optional mapped attribute: 2xx, then GET shows them gone', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant, {
      displayName: 'Full User',
      nickName: 'Nick',
      title: 'Engineer',
      preferredLanguage: 'en-US',
      phoneNumbers: [
        { type: 'mobile', value: '+1 555 0100' },
        { type: 'work', value: '+1 555 0199' },
      ],
      addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Redmond' }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
    })
    const replace = (path: string, value: unknown) =>
      patch(tenant, `/Users/${user.id}`, { op: 'replace', path, value })

    expect([200, 204]).toContain((await replace('title', '')).status)
    expect((await scim(tenant, `/Users/${user.id}`)).json).not.toHaveProperty('title')

    for (const path of [
      'nickName',
      'preferredLanguage',
      'name.givenName',
      `${ENTERPRISE}:department`,
      'phoneNumbers[type eq "mobile"].value',
      'addresses[type eq "work"].streetAddress',
    ]) {
      const res = await replace(path, null)
      expect([200, 204], path).toContain(res.status)
    }
    const after = (await scim(tenant, `/Users/${user.id}`)).json
    expect(after).not.toHaveProperty('nickName')
    expect(after).not.toHaveProperty('preferredLanguage')
    expect(after.name).not.toHaveProperty('givenName')
    expect(after.name.familyName).toBe('familyName')
    expect(after[ENTERPRISE]).toEqual({ employeeNumber: '42' })
    expect((after.phoneNumbers ?? []).filter((p: { type: string; value?: string }) => p.value)).toEqual([
      { type: 'work', value: '+1 555 0199' },
    ])
    expect((after.addresses ?? []).some((a: { streetAddress?: string }) => a.streetAddress)).toBe(false)
    expect(after.displayName).toBe('Full User')
  })
})

describe('entra.md — the aadOptscim062020 table: both forms', () => {
  it.for([
    ['Known issues — Add single-value string (default)', 'Add'],
    ['aadOptscim062020 — Add single-value string (flag)', 'add'],
  ])('%s', async ([, op], { expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await patch(tenant, `/Users/${user.id}`, { op, path: 'nickName', value: 'Babs' })
    expect(res.status).toBe(200)
    expect((await scim(tenant, `/Users/${user.id}`)).json.nickName).toBe('Babs')
  })

  const expectReplaced = (expect: import('vitest').ExpectStatic, json: Record<string, unknown>) => {
    expect(json).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua' },
      emails: [{ type: 'work', value: 'bjfe@contoso.com' }],
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    })
    // Literal keys, not paths: the dotted and URN-qualified keys were applied, never stored as such.
    expect(Object.keys(json)).not.toContain('name.givenName')
    expect(Object.keys(json)).not.toContain(`${ENTERPRISE}:employeeNumber`)
  }

  it('Known issues — Replace many attributes (default): one Replace per path', async ({ expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const externalId = crypto.randomUUID()
    const res = await patch(
      tenant,
      `/Users/${user.id}`,
      { op: 'Replace', path: 'displayName', value: 'Bjfe' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'bjfe@contoso.com' },
      { op: 'Replace', path: 'name.givenName', value: 'Kkom' },
      { op: 'Replace', path: 'name.familyName', value: 'Unua' },
      { op: 'Replace', path: 'externalId', value: externalId },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Aklq' },
    )
    expect(res.status).toBe(200)
    const after = (await scim(tenant, `/Users/${user.id}`)).json
    expectReplaced(expect, after)
    expect(after.externalId).toBe(externalId)
  })

  it('aadOptscim062020 — Replace many attributes (flag): a value-path op and one path-less op with dotted and URN keys', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await patch(
      tenant,
      `/Users/${user.id}`,
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'bjfe@contoso.com' },
      {
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
        },
      },
    )
    expect(res.status).toBe(200)
    expectReplaced(expect, (await scim(tenant, `/Users/${user.id}`)).json)
  })
})

describe('entra.md — quirks a server must tolerate', () => {
  it('Quirks 1 — capitalised ops Add, Replace, Remove, and unknown keys inside an operation', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await patch(
      tenant,
      `/Users/${user.id}`,
      { op: 'Add', path: 'nickName', value: 'Babs', name: 'addNickName' },
      { op: 'Replace', path: 'title', value: 'Lead' },
      { op: 'Remove', path: 'nickName' },
    )
    expect(res.status).toBe(200)
    expect(res.json.title).toBe('Lead')
    expect(res.json).not.toHaveProperty('nickName')
    const group = await createGroup(tenant, 'Ops')
    const add = await patch(tenant, `/Groups/${group.id}`, {
      name: 'addMember',
      op: 'Add',
      path: 'members',
      value: [{ value: user.id }],
    })
    expect(add.status).toBe(204)
    expect(await memberIds(tenant, group.id)).toEqual([user.id])
  })

  it('Quirks 4 — a value path that matches nothing creates the element, several ops on one filter build one', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant)
    const res = await patch(
      tenant,
      `/Users/${user.id}`,
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Replace', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' },
      { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
    )
    expect(res.status).toBe(200)
    expect(res.json.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }])
    expect(res.json.addresses).toEqual([{ type: 'work', streetAddress: '1 Main St', locality: 'Redmond' }])
  })

  it('Quirks 7 — + decodes to a space and /Users/ with a trailing slash routes a query', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant, { displayName: 'Ada Lovelace' })
    const plus = await scim(tenant, '/Users?filter=displayName+eq+%22Ada+Lovelace%22')
    expect(plus.status).toBe(200)
    expect(idsOf(plus)).toEqual([user.id])
    const slash = await scim(tenant, `/Users/?${filterOf(`userName eq "${user.userName}"`)}`)
    expect(slash.status).toBe(200)
    expect(idsOf(slash)).toEqual([user.id])
  })

  it.for([
    ['/Groups', 'DisplayName eq "Sales"'],
    ['/Users', 'name.FamilyName eq "Lovelace"'],
    ['/Users', 'emails.Value eq "ada@contoso.com"'],
    ['/Users', 'UserName eq "ADA@CONTOSO.COM"'],
  ] as const)('Quirks 7 — attribute names in any case: %s?filter=%s', async ([path, filter], { expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant, {
      userName: 'ada@contoso.com',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@contoso.com', primary: true }],
    })
    await createEntraUser(tenant)
    const group = await createGroup(tenant, 'Sales')
    await createGroup(tenant, 'Marketing')
    const res = await scim(tenant, `${path}?${filterOf(filter)}`)
    expect(res.status).toBe(200)
    expect(idsOf(res)).toEqual([path === '/Users' ? user.id : group.id])
  })

  it('Quirks 7 — displayName eq ignores case and is exact: no prefix or contains match', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const sales = await createGroup(tenant, 'Sales')
    await createGroup(tenant, 'Sales Team')
    await createGroup(tenant, 'Inside Sales')
    const res = await scim(tenant, `/Groups?excludedAttributes=members&${filterOf('displayName eq "SALES"')}`)
    expect(idsOf(res)).toEqual([sales.id])
  })

  it.for([
    ['a missing value', 'userName eq'],
    ['an unknown operator', 'userName regex "a"'],
    ['an unknown attribute', 'favouriteColour eq "blue"'],
    ['a dangling and', 'userName eq "a" and'],
    ['an unclosed value filter', 'emails[type eq "work"'],
    ['an unclosed parenthesis', '(userName eq "a"'],
    ['a bare value', 'ada@contoso.com'],
  ] as const)(
    'Quirks 7 — a filter with %s is 400 invalidFilter, never the unfiltered list',
    async ([, filter], { expect }) => {
      const tenant = await createTenant()
      await createEntraUser(tenant)
      const res = await scim(tenant, `/Users?${filterOf(filter)}`)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe(SCIM_JSON)
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' })
      expect(res.json.detail).toBeTruthy()
      expect(res.json).not.toHaveProperty('Resources')
    },
  )

  it('Tutorial Example 1 — the unquoted filter externalId eq jyoung finds the user', async ({ expect }) => {
    const tenant = await createTenant()
    const { user } = await createEntraUser(tenant, { externalId: 'jyoung' })
    await createEntraUser(tenant)
    const res = await scim(tenant, '/Users?filter=externalId+eq+jyoung')
    expect(res.status).toBe(200)
    expect(idsOf(res)).toEqual([user.id])
  })

  it('Validator — pagination with count=5 echoes startIndex, itemsPerPage is the page size', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    for (let i = 0; i < 7; i++) await createEntraUser(tenant)
    const first = await scim(tenant, '/Users?startIndex=1&count=5')
    expect(first.json).toMatchObject({ schemas: [LIST], totalResults: 7, startIndex: 1, itemsPerPage: 5 })
    expect(first.json.Resources).toHaveLength(5)
    const second = await scim(tenant, '/Users?startIndex=6&count=5')
    expect(second.json).toMatchObject({ totalResults: 7, startIndex: 6, itemsPerPage: 2 })
    expect(second.json.Resources).toHaveLength(2)
    expect(new Set([...idsOf(first), ...idsOf(second)]).size).toBe(7)
  })

  it('Quirks 10 — externalId is not unique: five users may share one', async ({ expect }) => {
    const tenant = await createTenant()
    for (let i = 0; i < 5; i++) await createEntraUser(tenant, { externalId: 'shared-mailnickname' })
    const res = await scim(tenant, `/Users?${filterOf('externalId eq "shared-mailnickname"')}`)
    expect(res.json.totalResults).toBe(5)
  })

  it('Quirks 11 — a duplicate userName is 409 uniqueness with a detail', async ({ expect }) => {
    const tenant = await createTenant()
    const { body } = await createEntraUser(tenant)
    const res = await scim(tenant, '/Users', { body: { ...body, userName: body.userName.toUpperCase() } })
    expect(res.status).toBe(409)
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' })
    expect(res.json.detail).toBeTruthy()
  })
})

describe('entra.md — schema discovery', () => {
  const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary']
  const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly']
  const RETURNED = ['always', 'never', 'default', 'request']
  const UNIQUENESS = ['none', 'server', 'global']

  interface Attribute {
    name: string
    type: string
    multiValued: boolean
    required: boolean
    caseExact?: boolean
    mutability: string
    returned: string
    uniqueness?: string
    subAttributes?: Attribute[]
  }

  const hasNull = (value: unknown): boolean =>
    value === null || (typeof value === 'object' && Object.values(value as object).some(hasNull))

  it('Tutorial — GET /Schemas: a ListResponse of User, Group and the enterprise extension, camelCase values, no nulls', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Schemas')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(SCIM_JSON)
    expect(res.json.schemas).toEqual([LIST])
    expect(hasNull(res.json)).toBe(false)
    const schemas = res.json.Resources as {
      schemas: string[]
      id: string
      name: string
      attributes: Attribute[]
      meta: { resourceType: string; location: string }
    }[]
    expect(schemas.map((s) => s.id).sort()).toEqual([ENTERPRISE, GROUP, USER].sort())
    const check = (attribute: Attribute) => {
      expect(TYPES, attribute.name).toContain(attribute.type)
      expect(typeof attribute.multiValued).toBe('boolean')
      expect(typeof attribute.required).toBe('boolean')
      expect(MUTABILITY, attribute.name).toContain(attribute.mutability)
      expect(RETURNED, attribute.name).toContain(attribute.returned)
      if (attribute.uniqueness !== undefined) expect(UNIQUENESS).toContain(attribute.uniqueness)
      for (const sub of attribute.subAttributes ?? []) check(sub)
    }
    for (const schema of schemas) {
      expect(schema.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema'])
      expect(schema.name).toBeTruthy()
      expect(schema.meta).toEqual({
        resourceType: 'Schema',
        location: `${tenant.baseUrl}/Schemas/${schema.id}`,
      })
      for (const attribute of schema.attributes) check(attribute)
    }
    const user = schemas.find((s) => s.id === USER)!
    expect(user.attributes.find((a) => a.name === 'userName')).toMatchObject({
      type: 'string',
      multiValued: false,
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    })
  })
})
