import { beforeAll, describe, it } from 'vitest'
import {
  createGroup,
  createUser,
  ERROR,
  GROUP,
  LIST,
  oktaUser,
  PATCH_OP,
  patchOp,
  USER,
} from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

// Okta, as /work/shared/idp/okta.md describes it: §1 its SCIM 2.0 spec test (the Runscope suite run
// before an integration is listed) step by step, §2 the request sequences Okta's provisioning sends,
// §4 what breaks in the wild, as regression tests.

const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'
const SCIM_JSON = 'application/scim+json'

/** The spec test's GET headers (its Authorization is `{{auth}}`, the client adds `Bearer <token>`). */
const SPEC_GET = {
  accept: 'application/scim+json',
  'accept-charset': 'utf-8',
  'content-type': 'application/scim+json; charset=utf-8',
  'user-agent': 'OKTA SCIM Integration',
}
/** The spec test's POST headers: a plain JSON content type. */
const SPEC_POST = {
  'content-type': 'application/json',
  accept: 'application/scim+json; charset=utf-8',
  'user-agent': 'OKTA SCIM Integration',
}
/** What Okta's provisioning sends on every request (okta.md §2, legacy guide). */
const OKTA = {
  'user-agent': 'Okta SCIM Client 1.0.0',
  accept: 'application/scim+json',
  'accept-charset': 'utf-8',
  'accept-encoding': 'gzip,deflate',
  'content-type': 'application/scim+json; charset=utf-8',
}

const pick = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('')
const DIGITS = '0123456789'
const LOWER = 'abcdefghijklmnopqrstuvwxyz'

/** The spec test's generated variables (okta.md §1). */
function specVariables() {
  const randomGivenName = `Runscope${pick(DIGITS, 3)}`
  const randomFamilyName = `${pick(LOWER.toUpperCase(), 1)}${pick(LOWER, 8)}${pick(DIGITS, 3)}`
  const randomUsername = `${randomGivenName}${randomFamilyName}@atko.com`
  return {
    randomGivenName,
    randomFamilyName,
    randomUsername,
    randomEmail: randomUsername,
    randomUsernameCaps: randomUsername.toUpperCase(),
  }
}
const InvalidUserEmail = 'abcdefgh@atko.com'
const UserIdThatDoesNotExist = '010101001010101011001010101011'

const filterOf = (expression: string) => `filter=${encodeURIComponent(expression)}`

/** The spec test's create-user body (step 6). */
const specUser = (v: ReturnType<typeof specVariables>) => ({
  schemas: [USER],
  userName: v.randomUsername,
  name: { givenName: v.randomGivenName, familyName: v.randomFamilyName },
  emails: [{ primary: true, value: v.randomEmail, type: 'work' }],
  displayName: `${v.randomGivenName} ${v.randomFamilyName}`,
  active: true,
})

describe("okta.md §1 — Okta's SCIM 2.0 spec test", () => {
  let tenant: TestTenant
  const v = specVariables()
  let ISVUserid = ''
  let createdId = ''

  // Precondition in Okta's docs: at least one user exists. Group push is optional; one group makes
  // step 10's script take its `totalResults >= 1` branch.
  beforeAll(async () => {
    tenant = await createTenant()
    const first = specVariables()
    await scim(tenant, '/Users', { body: specUser(first), headers: SPEC_POST })
    await createGroup(tenant, 'Okta spec test group')
  })

  const get = (path: string, headers: Record<string, string> = {}) =>
    scim(tenant, path, { headers: { ...SPEC_GET, ...headers } })

  it('1 — Test Users endpoint', async ({ expect }) => {
    const res = await get('/Users?count=1&startIndex=1')
    expect(res.status).toBe(200)
    expect(res.json.Resources.length).toBeGreaterThan(0)
    expect(res.json.schemas).toContain(LIST)
    expect(typeof res.json.itemsPerPage).toBe('number')
    expect(typeof res.json.startIndex).toBe('number')
    expect(typeof res.json.totalResults).toBe('number')
    const [first] = res.json.Resources
    expect(first.id).toBeTruthy()
    expect(first.name.familyName).toBeTruthy()
    expect(first.name.givenName).toBeTruthy()
    expect(first.userName).toBeTruthy()
    expect(first.active).toBe(true)
    expect(first.emails[0].value).toBeTruthy()
    ISVUserid = first.id
  })

  it('2 — Get Users/{id}', async ({ expect }) => {
    const res = await get(`/Users/${ISVUserid}`)
    expect(res.status).toBe(200)
    expect(res.json.id).toBe(ISVUserid)
    expect(res.json.name.familyName).toBeTruthy()
    expect(res.json.name.givenName).toBeTruthy()
    expect(res.json.userName).toBeTruthy()
    expect(typeof res.json.active).toBe('boolean')
    expect(res.json.emails[0].value).toBeTruthy()
  })

  it('3 — invalid User by username', async ({ expect }) => {
    const res = await get(`/Users?${filterOf(`userName eq "${InvalidUserEmail}"`)}`)
    expect(res.status).toBe(200)
    expect(res.json.schemas).toContain(LIST)
    expect(res.json.totalResults).toBe(0)
  })

  it('4 — invalid User by ID', async ({ expect }) => {
    const res = await get(`/Users/${UserIdThatDoesNotExist}`)
    expect(res.status).toBe(404)
    expect(res.json.detail).toBeTruthy()
    expect(res.json.schemas).toContain(ERROR)
  })

  it("5 — random user doesn't exist", async ({ expect }) => {
    const res = await get(`/Users?${filterOf(`userName eq "${v.randomEmail}"`)}`)
    expect(res.status).toBe(200)
    expect(res.json.totalResults).toBe(0)
    expect(res.json.schemas).toContain(LIST)
  })

  it('6 — Create user', async ({ expect }) => {
    const res = await scim(tenant, '/Users', { body: specUser(v), headers: SPEC_POST })
    expect(res.status).toBe(201)
    expect(res.json.active).toBe(true)
    expect(res.json.id).toBeTruthy()
    expect(res.json.name.familyName).toBe(v.randomFamilyName)
    expect(res.json.name.givenName).toBe(v.randomGivenName)
    expect(res.json.userName).toBe(v.randomUsername)
    expect(res.json.schemas).toContain(USER)
    createdId = res.json.id
  })

  it('7 — Verify created', async ({ expect }) => {
    const res = await get(`/Users/${createdId}`)
    expect(res.status).toBe(200)
    expect(res.json.userName).toBe(v.randomUsername)
    expect(res.json.name.familyName).toBe(v.randomFamilyName)
    expect(res.json.name.givenName).toBe(v.randomGivenName)
  })

  it('8 — Recreate same user', async ({ expect }) => {
    const res = await scim(tenant, '/Users', { body: specUser(v), headers: SPEC_POST })
    expect(res.status).toBe(409)
  })

  it('9 — Username Case Sensitivity Check', async ({ expect }) => {
    const res = await get(`/Users?${filterOf(`userName eq "${v.randomUsernameCaps}"`)}`)
    expect(res.status).toBe(200)
  })

  it('10 — Groups endpoint (optional)', async ({ expect }) => {
    // Okta's response-time bound (< 600 ms) is a speed target: it belongs to `npm run bench`.
    const res = await get('/Groups')
    expect(res.status).toBe(200)
    // The step's script: if totalResults >= 1 then Resources is an array (the precondition made one).
    expect(res.json.totalResults).toBeGreaterThanOrEqual(1)
    expect(Array.isArray(res.json.Resources)).toBe(true)
  })

  it('11 — Check status 401', async ({ expect }) => {
    const res = await scim(tenant, `/Users?${filterOf(`userName eq "${v.randomUsernameCaps}"`)}`, {
      headers: { ...SPEC_GET, authorization: 'non-token' },
    })
    expect(res.status).toBe(401)
    expect(res.json.detail).toBeTruthy()
    // RFC 7644 §3.12: `status` is a string; Runscope compares the text.
    expect(res.json.status).toBe('401')
    expect(res.json.schemas).toContain(ERROR)
  })

  it('12 — Check status 404', async ({ expect }) => {
    const res = await get('/Users/00919288221112222')
    expect(res.status).toBe(404)
    expect(res.json.detail).toBeTruthy()
    expect(res.json.status).toBe('404')
    expect(res.json.schemas).toContain(ERROR)
  })

  describe("beyond the suite's letter", () => {
    it('9 — the upper-case filter finds the user of step 6 (userName is caseExact=false)', async ({
      expect,
    }) => {
      const res = await get(`/Users?${filterOf(`userName eq "${v.randomUsernameCaps}"`)}`)
      expect(res.json.totalResults).toBe(1)
      expect(res.json.Resources.map((r: { id: string }) => r.id)).toEqual([createdId])
      expect(res.json.Resources[0].userName).toBe(v.randomUsername)
    })

    it('8 — the 409 body is a SCIM error with scimType uniqueness and a detail', async ({ expect }) => {
      const res = await scim(tenant, '/Users', { body: specUser(v), headers: SPEC_POST })
      expect(res.status).toBe(409)
      expect(res.headers.get('content-type')).toBe(SCIM_JSON)
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' })
      expect(res.json.detail).toBeTruthy()
    })

    it('8 — POSTing the upper-cased userName is 409 too, and creates nobody', async ({ expect }) => {
      const res = await scim(tenant, '/Users', {
        body: { ...specUser(v), userName: v.randomUsernameCaps },
        headers: SPEC_POST,
      })
      expect(res.status).toBe(409)
      expect(res.json.scimType).toBe('uniqueness')
      const found = await get(`/Users?${filterOf(`userName eq "${v.randomUsername}"`)}`)
      expect(found.json.totalResults).toBe(1)
    })
  })

  describe('older editions: discovery', () => {
    // The suite's 400 ms bound is a speed target (npm run bench); the answer makes no D1 round trip.
    it('GET /ServiceProviderConfig answers every feature', async ({ expect }) => {
      const res = await get('/ServiceProviderConfig')
      expect(res.status).toBe(200)
      expect(res.json.schemas).toContain(SPC)
      for (const feature of ['patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag']) {
        expect(res.json[feature], feature).toBeTruthy()
        expect(typeof res.json[feature].supported, `${feature}.supported`).toBe('boolean')
      }
      expect(res.json.authenticationSchemes[0].type).toBeTruthy()
      expect(res.json.authenticationSchemes[0].description).toBeTruthy()
      expect(res.json.filter.maxResults).toBeGreaterThan(0)
      expect(typeof res.json.bulk.maxOperations).toBe('number')
      expect(typeof res.json.bulk.maxPayloadSize).toBe('number')
      if (res.json.bulk.supported) {
        expect(res.json.bulk.maxOperations).toBeGreaterThan(0)
        expect(res.json.bulk.maxPayloadSize).toBeGreaterThan(0)
      }
    })

    it.for(['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'])(
      'POST with body `test` to %s is 405',
      async (path, { expect }) => {
        const res = await scim(tenant, path, {
          method: 'POST',
          body: 'test',
          headers: { ...SPEC_GET, 'content-type': 'application/scim+json' },
        })
        expect(res.status).toBe(405)
        expect(res.json).toMatchObject({ schemas: [ERROR], status: '405' })
      },
    )

    it('GET /ResourceTypes lists name, endpoint and schema', async ({ expect }) => {
      const res = await get('/ResourceTypes')
      expect(res.status).toBe(200)
      expect(res.json.schemas).toContain(LIST)
      expect(res.json.Resources[0].name).toBeTruthy()
      expect(res.json.Resources[0].endpoint).toBeTruthy()
      expect(res.json.Resources[0].schema).toBeTruthy()
    })

    it('GET /Schemas lists id and attributes', async ({ expect }) => {
      const res = await get('/Schemas')
      expect(res.status).toBe(200)
      expect(res.json.schemas).toContain(LIST)
      expect(res.json.Resources[0].id).toBeTruthy()
      expect(res.json.Resources[0].attributes.length).toBeGreaterThan(0)
    })

    it('a filter that is a bare value (filter=JOHN@EXAMPLE.COM) is 400 invalidFilter', async ({ expect }) => {
      const res = await get('/Users?filter=JOHN@EXAMPLE.COM')
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' })
    })
  })
})

describe('okta.md §2 — what Okta really sends', () => {
  const okta = (tenant: TestTenant, path: string, method = 'GET', body?: unknown) =>
    scim(tenant, path, { method, body, headers: OKTA })

  it('Test Connector: GET /Users?startIndex=1&count=2 and GET /Groups?startIndex=1&count=100 list', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    for (let i = 0; i < 3; i++) await createUser(tenant, `tc${i}@okta.local`)
    await createGroup(tenant, 'Connector')
    const users = await okta(tenant, '/Users?startIndex=1&count=2')
    expect(users.status).toBe(200)
    expect(users.headers.get('content-type')).toBe(SCIM_JSON)
    expect(users.json).toMatchObject({ schemas: [LIST], totalResults: 3, startIndex: 1, itemsPerPage: 2 })
    expect(users.json.Resources).toHaveLength(2)
    const groups = await okta(tenant, '/Groups?startIndex=1&count=100')
    expect(groups.status).toBe(200)
    expect(groups.json).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 })
  })

  it('Assign user: a lookup without match is the empty ListResponse, then the POST creates the full user', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const lookup = '/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100'
    const none = await okta(tenant, lookup)
    expect(none.status).toBe(200)
    expect(none.json).toEqual({
      schemas: [LIST],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    })

    const created = await okta(tenant, '/Users', 'POST', oktaUser('test.user@okta.local'))
    expect(created.status).toBe(201)
    expect(created.json.id).toBeTruthy()
    expect(created.json).toMatchObject({
      schemas: [USER],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    })
    expect(created.json.password).toBeUndefined()

    const found = await okta(tenant, lookup)
    expect(found.json.totalResults).toBe(1)
    expect(found.json.Resources[0].id).toBe(created.json.id)
    // The legacy sample encodes spaces as `+`.
    const legacy = await okta(tenant, '/Users?filter=userName+eq+%22test.user%40okta.local%22')
    expect(legacy.json.Resources.map((r: { id: string }) => r.id)).toEqual([created.json.id])
    // Legacy doc: Okta may look a user up by its own id, the externalId.
    const byExternalId = await okta(tenant, `/Users?${filterOf('externalId eq "00ujl29u0le5T6Aj10h7"')}`)
    expect(byExternalId.json.Resources.map((r: { id: string }) => r.id)).toEqual([created.json.id])

    const again = await okta(tenant, '/Users', 'POST', oktaUser('test.user@okta.local'))
    expect(again.status).toBe(409)
    expect(again.json).toMatchObject({ schemas: [ERROR], status: '409' })
    expect(again.json.detail).toBeTruthy()
  })

  it('Profile update: GET then PUT of the whole object with legacy meta, password and groups answers the updated user', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'profile@okta.local')
    const got = await okta(tenant, `/Users/${user.id}`)
    expect(got.status).toBe(200)
    const res = await okta(tenant, `/Users/${user.id}`, 'PUT', {
      ...got.json,
      name: { givenName: 'Changed', familyName: 'User' },
      password: '1mz050nq',
      groups: [],
      meta: {
        resourceType: 'User',
        created: '04-12-2018 00:00:00',
        lastModified: '04-12-2018 00:00:00',
        version: 'v1.0',
      },
    })
    expect(res.status).toBe(200)
    expect(res.json.id).toBe(user.id)
    expect(res.json.name).toEqual({ givenName: 'Changed', familyName: 'User' })
    expect(res.json.meta.created).toBe(user.meta.created)
    expect(res.json.password).toBeUndefined()
    expect((await okta(tenant, `/Users/${user.id}`)).json.name.givenName).toBe('Changed')
  })

  it('Deactivate and reactivate: path-less PATCH of active, the user stays visible to lookups', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'deactivate@okta.local')
    for (const active of [false, true]) {
      const res = await okta(tenant, `/Users/${user.id}`, 'PATCH', {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active } }],
      })
      expect([200, 204]).toContain(res.status)
      if (res.status === 200) expect(res.json.active).toBe(active)
      expect((await okta(tenant, `/Users/${user.id}`)).json.active).toBe(active)
      // okta.md §3: the lookup must return inactive users too, or reassigning POSTs into a 409.
      const lookup = await okta(tenant, `/Users?${filterOf('userName eq "deactivate@okta.local"')}`)
      expect(lookup.json.Resources.map((r: { id: string; active: boolean }) => [r.id, r.active])).toEqual([
        [user.id, active],
      ])
    }
  })

  it('Import: pages of startIndex=1, 101, … with count=100 cover every user once, with itemsPerPage = items on the page', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const total = 130
    const ids = new Set<string>()
    for (let i = 0; i < total; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) => createUser(tenant, `import${i + j}@okta.local`)),
      )
      for (const u of batch) ids.add(u.id)
    }

    const pages: string[][] = []
    for (let startIndex = 1; ; startIndex += 100) {
      const res = await okta(tenant, `/Users?startIndex=${startIndex}&count=100`)
      expect(res.status).toBe(200)
      expect(res.json.totalResults).toBe(total)
      expect(Number.isInteger(res.json.startIndex) && res.json.startIndex === startIndex).toBe(true)
      expect(res.json.itemsPerPage).toBe(res.json.Resources.length)
      pages.push(res.json.Resources.map((r: { id: string }) => r.id))
      if (startIndex + 100 > res.json.totalResults) break
    }
    expect(pages.map((p) => p.length)).toEqual([100, 30])
    const order = pages.flat()
    expect(new Set(order)).toEqual(ids)

    // The same order whatever count and startIndex.
    const smaller: string[] = []
    for (let startIndex = 1; startIndex <= total; startIndex += 37) {
      const res = await okta(tenant, `/Users?startIndex=${startIndex}&count=37`)
      expect(res.json.itemsPerPage).toBe(res.json.Resources.length)
      smaller.push(...res.json.Resources.map((r: { id: string }) => r.id))
    }
    expect(smaller).toEqual(order)
  })

  it('Import: groups page the same way', async ({ expect }) => {
    const tenant = await createTenant()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await createGroup(tenant, `Import group ${i}`)).id)
    const seen: string[] = []
    for (const startIndex of [1, 3, 5]) {
      const res = await okta(tenant, `/Groups?startIndex=${startIndex}&count=2`)
      expect(res.json).toMatchObject({ totalResults: 5, startIndex })
      expect(res.json.itemsPerPage).toBe(res.json.Resources.length)
      seen.push(...res.json.Resources.map((r: { id: string }) => r.id))
    }
    expect(seen).toHaveLength(5)
    expect(new Set(seen)).toEqual(new Set(ids))
    const all = await okta(tenant, '/Groups?startIndex=1&count=100')
    expect(all.json.Resources.map((r: { id: string }) => r.id)).toEqual(seen)
  })

  it('Group push (OIN): lookup by displayName, create, rename, membership PATCH, full push, AIW PUT, DELETE', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const [a, b, c] = [
      await createUser(tenant, 'a@okta.local'),
      await createUser(tenant, 'b@okta.local'),
      await createUser(tenant, 'c@okta.local'),
    ].map((u) => u.id as string)
    // A group whose name starts the same: `eq` must not match it.
    await createGroup(tenant, 'Test SCIMv2 Extra')
    const lookup = '/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100'
    const none = await okta(tenant, lookup)
    expect(none.status).toBe(200)
    expect(none.json.totalResults).toBe(0)

    const created = await okta(tenant, '/Groups', 'POST', {
      schemas: [GROUP],
      displayName: 'Test SCIMv2',
      members: [],
    })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ displayName: 'Test SCIMv2', members: [] })
    const id = created.json.id as string
    const found = await okta(tenant, lookup)
    expect(found.json.Resources.map((r: { id: string }) => r.id)).toEqual([id])

    const members = async () =>
      ((await okta(tenant, `/Groups/${id}`)).json.members as { value: string }[]).map((m) => m.value).sort()
    const patch = async (...operations: unknown[]) => {
      const res = await okta(tenant, `/Groups/${id}`, 'PATCH', patchOp(...operations))
      expect([200, 204]).toContain(res.status)
      return res
    }

    // Rename, also sent with every membership update.
    await patch({ op: 'replace', value: { id, displayName: 'Test SCIMv2 renamed' } })
    expect((await okta(tenant, `/Groups/${id}`)).json.displayName).toBe('Test SCIMv2 renamed')

    await patch({ op: 'add', path: 'members', value: [{ value: a, display: 'a@okta.local' }] })
    await patch(
      { op: 'replace', value: { id, displayName: 'Test SCIMv2 renamed' } },
      { op: 'remove', path: `members[value eq "${a}"]` },
      { op: 'add', path: 'members', value: [{ value: b, display: 'b@okta.local' }] },
    )
    expect(await members()).toEqual([b])

    // Full push.
    await patch({
      op: 'replace',
      path: 'members',
      value: [
        { value: a, display: 'a@okta.local' },
        { value: c, display: 'c@okta.local' },
      ],
    })
    expect(await members()).toEqual([a, c].sort())

    // AIW apps push with PUT.
    const put = await okta(tenant, `/Groups/${id}`, 'PUT', {
      schemas: [GROUP],
      id,
      displayName: 'Test SCIMv2',
      members: [{ value: b, display: 'b@okta.local' }],
    })
    expect(put.status).toBe(200)
    expect(put.json).toMatchObject({ id, displayName: 'Test SCIMv2' })
    expect(await members()).toEqual([b])

    // "Delete the group in the target app": DELETE carries Content-Type and no body.
    const deleted = await okta(tenant, `/Groups/${id}`, 'DELETE')
    expect(deleted.status).toBe(204)
    expect((await okta(tenant, `/Groups/${id}`)).status).toBe(404)
    expect((await okta(tenant, lookup)).json.totalResults).toBe(0)
  })

  it('Group push (legacy): create with members carrying value and display, then AIW PUT right after create', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'steve@ad.oktatest.com')
    const created = await okta(tenant, '/Groups', 'POST', {
      schemas: [GROUP],
      displayName: 'Legacy',
      members: [{ value: user.id, display: 'steve@ad.oktatest.com' }],
    })
    expect(created.status).toBe(201)
    expect(created.json.members.map((m: { value: string }) => m.value)).toEqual([user.id])

    const aiw = await okta(tenant, '/Groups', 'POST', { schemas: [GROUP], displayName: 'AIW', members: [] })
    const put = await okta(tenant, `/Groups/${aiw.json.id}`, 'PUT', {
      schemas: [GROUP],
      id: aiw.json.id,
      displayName: 'AIW',
      members: [{ value: user.id, display: 'steve@ad.oktatest.com' }],
    })
    expect(put.status).toBe(200)
    expect(put.json.members.map((m: { value: string }) => m.value)).toEqual([user.id])
  })
})

describe('okta.md §4 — what breaks in the wild', () => {
  it('1 — a path-less PATCH {"op":"replace","value":{"active":false}} deactivates the user, no 500', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'pathless@okta.local')
    const res = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', value: { active: false } }),
    })
    expect(res.status).toBe(200)
    expect((await scim(tenant, `/Users/${user.id}`)).json.active).toBe(false)
  })

  it('2 — a group PATCH whose value carries the readOnly id with displayName is accepted', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const group = await createGroup(tenant, 'Readonly id')
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', value: { id: group.id, displayName: 'Readonly id renamed' } }),
    })
    expect(res.status).toBe(204)
    const after = await scim(tenant, `/Groups/${group.id}`)
    expect(after.json).toMatchObject({ id: group.id, displayName: 'Readonly id renamed' })
  })

  it('3 — members without type and with display are accepted on POST, PATCH and PUT', async ({ expect }) => {
    const tenant = await createTenant()
    const [a, b] = [await createUser(tenant, 'a@okta.local'), await createUser(tenant, 'b@okta.local')]
    const created = await scim(tenant, '/Groups', {
      body: { schemas: [GROUP], displayName: 'Display', members: [{ value: a.id, display: 'a@okta.local' }] },
    })
    expect(created.status).toBe(201)
    const patched = await scim(tenant, `/Groups/${created.json.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: b.id, display: 'b@okta.local' }] }),
    })
    expect(patched.status).toBe(204)
    const put = await scim(tenant, `/Groups/${created.json.id}`, {
      method: 'PUT',
      body: { schemas: [GROUP], displayName: 'Display', members: [{ value: a.id, display: 'a' }] },
    })
    expect(put.status).toBe(200)
    expect(put.json.members).toEqual([expect.objectContaining({ value: a.id, type: 'User' })])
  })

  it('4 — replace on members is supported and sets the list exactly', async ({ expect }) => {
    const tenant = await createTenant()
    const [a, b] = [await createUser(tenant, 'a@okta.local'), await createUser(tenant, 'b@okta.local')]
    const group = await createGroup(tenant, 'Replace', [a.id])
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'members', value: [{ value: b.id, display: 'b@okta.local' }] }),
    })
    expect(res.status).toBe(204)
    const after = await scim(tenant, `/Groups/${group.id}`)
    expect(after.json.members.map((m: { value: string }) => m.value)).toEqual([b.id])
  })

  it('5 — a duplicate or retried create is 409 and never overwrites the stored user', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'retry@okta.local', { title: 'Original' })
    const retried = await scim(tenant, '/Users', {
      body: oktaUser('retry@okta.local', {
        name: { givenName: 'Other', familyName: 'Person' },
        title: 'Retry',
      }),
    })
    expect(retried.status).toBe(409)
    expect((await scim(tenant, `/Users/${user.id}`)).json).toEqual(user)
  })

  it('6 — userName keeps its case, and lookup and uniqueness both ignore case', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'Mixed.Case@Okta.Local')
    expect(user.userName).toBe('Mixed.Case@Okta.Local')
    const lookup = await scim(tenant, `/Users?${filterOf('userName eq "mixed.case@okta.local"')}`)
    expect(lookup.json.Resources.map((r: { id: string; userName: string }) => [r.id, r.userName])).toEqual([
      [user.id, 'Mixed.Case@Okta.Local'],
    ])
    expect((await scim(tenant, '/Users', { body: oktaUser('mixed.case@okta.local') })).status).toBe(409)
  })

  it('7 — the user list holds only SCIM-provisioned users, each with the four attributes', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const empty = await scim(tenant, '/Users?count=1&startIndex=1')
    expect(empty.json.totalResults).toBe(0)
    const user = await createUser(tenant, 'only@okta.local')
    const res = await scim(tenant, '/Users?count=1&startIndex=1')
    expect(res.json.totalResults).toBe(1)
    expect(res.json.Resources[0]).toMatchObject({
      id: user.id,
      userName: 'only@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ value: 'only@okta.local' }],
      active: true,
    })
  })

  it('8 — itemsPerPage is the number of items on the page, not the count asked for', async ({ expect }) => {
    const tenant = await createTenant()
    for (let i = 0; i < 3; i++) await createUser(tenant, `page${i}@okta.local`)
    for (const [query, items] of [
      ['startIndex=1&count=100', 3],
      ['startIndex=3&count=2', 1],
      ['startIndex=10&count=100', 0],
    ] as const) {
      const res = await scim(tenant, `/Users?${query}`)
      expect(res.json.itemsPerPage, query).toBe(items)
      expect(res.json.Resources, query).toHaveLength(items)
      expect(res.json.totalResults, query).toBe(3)
    }
  })

  it('9 — read-only discovery endpoints answer a junk POST with 405, not 400', async ({ expect }) => {
    const tenant = await createTenant()
    for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas']) {
      const res = await scim(tenant, path, { body: 'test', headers: { 'content-type': 'application/json' } })
      expect(res.status, path).toBe(405)
    }
  })

  it('10 — every error body is SCIM JSON, and application/scim+json request bodies are parsed', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const errors = [
      await scim(tenant, '/Users/unknown-id'),
      await scim(tenant, '/Users', { token: null }),
      await scim(tenant, '/Users', { body: '{"schemas":', headers: { 'content-type': 'application/json' } }),
      await scim(tenant, '/Users', { method: 'DELETE' }),
      await scim(tenant, '/Nowhere'),
      await scim(tenant, `/Users?${filterOf('userName xx "a"')}`),
    ]
    for (const res of errors) {
      expect(res.headers.get('content-type')).toBe(SCIM_JSON)
      expect(res.json.schemas).toEqual([ERROR])
      expect(res.json.detail).toBeTruthy()
    }
    const created = await scim(tenant, '/Users', {
      body: oktaUser('scimjson@okta.local'),
      headers: { 'content-type': 'application/scim+json; charset=utf-8' },
    })
    expect(created.status).toBe(201)
  })

  it('11 — a group push with member ids unknown to the tenant still applies the known ones', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const other = await createTenant()
    const known = await createUser(tenant, 'known@okta.local')
    const stranger = await createUser(other, 'stranger@okta.local')
    const group = await createGroup(tenant, 'Push')
    const res = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({
        op: 'add',
        path: 'members',
        value: [
          { value: crypto.randomUUID() },
          { value: stranger.id },
          { value: known.id, display: 'known' },
        ],
      }),
    })
    expect(res.status).toBe(204)
    const after = await scim(tenant, `/Groups/${group.id}`)
    expect(after.json.members.map((m: { value: string }) => m.value)).toEqual([known.id])
  })
})
