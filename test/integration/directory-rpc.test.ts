import { beforeAll, describe, it } from 'vitest'
import { type DirectoryApi, directoryThrough, failureOf } from '../support/directory'
import { createGroup, createUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

// Every call below goes test → consumer Worker → service binding → Directory (vitest.config.ts).
const acmeOnly = directoryThrough('DIRECTORY_ACME')
const everyTenant = directoryThrough('DIRECTORY_ALL')
const noProps = directoryThrough('DIRECTORY_NO_PROPS')

// The tenant DIRECTORY_ACME's props name; created here, so the names of its users are unique per run.
const ACME = 'rpc-acme'
const run = crypto.randomUUID().slice(0, 8)

interface Seeded {
  acme: TestTenant
  other: TestTenant
  suspended: TestTenant
  ann: { id: string; userName: string }
  bob: { id: string }
  cy: { id: string }
  eve: { id: string; userName: string }
  eng: { id: string }
  staff: { id: string }
  ops: { id: string }
}
let s: Seeded

beforeAll(async () => {
  const acme = await createTenant({ name: ACME })
  const other = await createTenant()
  const suspended = await createTenant({ status: 'suspended' })
  const ann = await createUser(acme, `ann-${run}@example.com`, { externalId: `ext-ann-${run}` })
  const bob = await createUser(acme, `bob-${run}@example.com`, { externalId: `ext-dup-${run}` })
  const cy = await createUser(acme, `cy-${run}@example.com`, { externalId: `ext-dup-${run}` })
  const eng = await createGroup(acme, `eng-${run}`, [ann.id])
  // staff holds eng (so ann indirectly), bob and cy directly.
  const staff = await createGroup(acme, `staff-${run}`, [eng.id, bob.id, cy.id])
  const eve = await createUser(other, `eve-${run}@example.com`, { externalId: `ext-eve-${run}` })
  const ops = await createGroup(other, `ops-${run}`, [eve.id])
  s = { acme, other, suspended, ann, bob, cy, eve, eng, staff, ops }
})

/** One call of every method for `tenant`, with ids of `s` (valid or not for that tenant). */
const everyMethod = (api: DirectoryApi, tenant: string) => [
  api.getUser(tenant, s.ann.id),
  api.getUserByUserName(tenant, s.ann.userName),
  api.getUserByExternalId(tenant, `ext-ann-${run}`),
  api.getGroup(tenant, s.eng.id),
  api.listUsers(tenant, {}),
  api.listGroups(tenant),
  api.groupsOfUser(tenant, s.ann.id),
  api.groupMembers(tenant, s.staff.id),
  api.isMember(tenant, s.ann.id, s.staff.id),
  api.changes(tenant),
]

describe('Directory: the binding scopes every call to the tenants of its props', () => {
  it('reads the tenant its props name with every method', async ({ expect }) => {
    const answers = await Promise.all(everyMethod(acmeOnly, ACME))
    expect(answers.every((answer) => answer !== null && answer !== undefined)).toBe(true)
  })

  it('fails every method for a tenant outside its props exactly as for one that does not exist', async ({
    expect,
  }) => {
    const outside = await Promise.all(everyMethod(acmeOnly, s.other.name).map(failureOf))
    const absent = await Promise.all(everyMethod(everyTenant, 'no-such-tenant').map(failureOf))
    expect(new Set(outside.map((f) => f.code))).toEqual(new Set(['tenantNotFound']))
    expect(new Set(absent.map((f) => f.code))).toEqual(new Set(['tenantNotFound']))
    expect(outside[0]?.detail).toBe(absent[0]?.detail.replace('no-such-tenant', s.other.name))
  })

  it('answers a suspended tenant, a binding without props and a malformed name as absent', async ({
    expect,
  }) => {
    expect((await failureOf(everyTenant.getUser(s.suspended.name, s.ann.id))).code).toBe('tenantNotFound')
    expect((await failureOf(noProps.getUser(ACME, s.ann.id))).code).toBe('tenantNotFound')
    expect((await failureOf(everyTenant.getUser('../DB', s.ann.id))).code).toBe('tenantNotFound')
    expect((await failureOf(everyTenant.getUser(42 as never, s.ann.id))).code).toBe('invalidArgument')
  })

  it('lets a "*" binding read any active tenant', async ({ expect }) => {
    expect((await everyTenant.getUser(s.other.name, s.eve.id))?.userName).toBe(s.eve.userName)
  })

  it('finds no resource of another tenant by its id, userName or externalId', async ({ expect }) => {
    expect(await acmeOnly.getUser(ACME, s.eve.id)).toBeNull()
    expect(await acmeOnly.getUserByUserName(ACME, s.eve.userName)).toBeNull()
    expect(await acmeOnly.getUserByExternalId(ACME, `ext-eve-${run}`)).toBeNull()
    expect(await acmeOnly.getGroup(ACME, s.ops.id)).toBeNull()
    expect(await acmeOnly.groupsOfUser(ACME, s.eve.id)).toBeNull()
    expect(await acmeOnly.groupMembers(ACME, s.ops.id)).toBeNull()
    expect(await acmeOnly.isMember(ACME, s.eve.id, s.ops.id)).toBe(false)
    expect(await everyTenant.isMember(s.other.name, s.eve.id, s.ops.id)).toBe(true)
    const { totalResults } = await acmeOnly.listUsers(ACME, { filter: `userName eq "${s.eve.userName}"` })
    expect(totalResults).toBe(0)
    const feed = await acmeOnly.changes(ACME, { limit: 1000 })
    expect(feed.events.some((e) => e.resourceId === s.eve.id || e.resourceId === s.ops.id)).toBe(false)
  })
})

describe('Directory: users and groups in their SCIM representation', () => {
  it('gets a user by id with direct and indirect groups, and null for an unknown id', async ({ expect }) => {
    const ann = await acmeOnly.getUser(ACME, s.ann.id)
    expect(ann).toMatchObject({
      id: s.ann.id,
      userName: s.ann.userName,
      externalId: `ext-ann-${run}`,
      meta: {
        resourceType: 'User',
        version: 'W/"1"',
        location: `https://${ACME}.scim.example.com/scim/v2/Users/${s.ann.id}`,
      },
    })
    expect(ann?.groups?.map((g) => [g.value, g.type])).toEqual([
      [s.eng.id, 'direct'],
      [s.staff.id, 'indirect'],
    ])
    expect(await acmeOnly.getUser(ACME, crypto.randomUUID())).toBeNull()
    expect((await failureOf(acmeOnly.getUser(ACME, '' as string))).code).toBe('invalidArgument')
  })

  it('gets a user by userName case-insensitively, and by externalId', async ({ expect }) => {
    expect((await acmeOnly.getUserByUserName(ACME, s.ann.userName.toUpperCase()))?.id).toBe(s.ann.id)
    expect((await acmeOnly.getUserByExternalId(ACME, `ext-ann-${run}`))?.id).toBe(s.ann.id)
    // externalId is compared exactly (caseExact) and is not unique.
    expect(await acmeOnly.getUserByExternalId(ACME, `EXT-ANN-${run}`)).toBeNull()
    const ambiguous = await failureOf(acmeOnly.getUserByExternalId(ACME, `ext-dup-${run}`))
    expect(ambiguous.code).toBe('ambiguous')
  })

  it('gets a group without its members', async ({ expect }) => {
    const staff = await acmeOnly.getGroup(ACME, s.staff.id)
    expect(staff).toMatchObject({ id: s.staff.id, displayName: `staff-${run}` })
    expect(staff).not.toHaveProperty('members')
  })

  it('lists users with a filter, a sort and cursors, page after page', async ({ expect }) => {
    const filter = `userName ew "-${run}@example.com"`
    const first = await acmeOnly.listUsers(ACME, {
      filter,
      sortBy: 'userName',
      sortOrder: 'descending',
      count: 2,
      cursor: '',
    })
    expect(first.totalResults).toBe(3)
    expect(first.Resources.map((u) => u.id)).toEqual([s.cy.id, s.bob.id])
    const second = await acmeOnly.listUsers(ACME, {
      filter,
      sortBy: 'userName',
      sortOrder: 'descending',
      count: 2,
      cursor: first.nextCursor,
    })
    expect(second.Resources.map((u) => u.id)).toEqual([s.ann.id])
    expect(second.nextCursor).toBeUndefined()
    // A cursor carries its query: another filter or another tenant rejects it.
    const reused = failureOf(
      acmeOnly.listUsers(ACME, { filter: 'userName pr', count: 2, cursor: first.nextCursor }),
    )
    expect((await reused).code).toBe('invalidCursor')
    const elsewhere = everyTenant.listUsers(s.other.name, {
      filter,
      sortBy: 'userName',
      sortOrder: 'descending',
      count: 2,
      cursor: first.nextCursor,
    })
    expect((await failureOf(elsewhere)).code).toBe('invalidCursor')
  })

  it('lists groups by filter, without members', async ({ expect }) => {
    const { Resources } = await acmeOnly.listGroups(ACME, { filter: `displayName eq "STAFF-${run}"` })
    expect(Resources.map((g) => g.id)).toEqual([s.staff.id])
    expect(Resources[0]).not.toHaveProperty('members')
    const byMember = await acmeOnly.listGroups(ACME, { filter: `members.value eq "${s.bob.id}"` })
    expect(byMember.Resources.map((g) => g.id)).toEqual([s.staff.id])
  })

  it('applies the SCIM API limits: parameter budget, page size, filter syntax', async ({ expect }) => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "${i}-${run}"`)
    const atLimit = await acmeOnly.listUsers(ACME, {
      filter: [...names(79), `userName eq "${s.ann.userName}"`].join(' or '),
    })
    expect(atLimit.Resources.map((u) => u.id)).toEqual([s.ann.id])
    const over = await failureOf(acmeOnly.listUsers(ACME, { filter: names(81).join(' or ') }))
    expect(over).toMatchObject({ code: 'invalidFilter' })
    expect(over.detail).toContain('at most 80')
    expect((await failureOf(acmeOnly.listUsers(ACME, { filter: 'userName eq' }))).code).toBe('invalidFilter')
    expect((await failureOf(acmeOnly.listUsers(ACME, { filter: 'nosuch eq "x"' }))).code).toBe(
      'invalidFilter',
    )
    // count is clamped as RFC 7644 §3.4.2.4 says, as GET /Users does.
    const huge = await acmeOnly.listUsers(ACME, { count: 5000 })
    expect(huge.itemsPerPage).toBe(huge.totalResults)
    const countOnly = await acmeOnly.listUsers(ACME, { count: 0 })
    expect(countOnly).toMatchObject({ itemsPerPage: 0, Resources: [] })
    expect(countOnly.totalResults).toBeGreaterThanOrEqual(3)
    expect((await failureOf(acmeOnly.listUsers(ACME, { count: 'x' as never }))).code).toBe('invalidCount')
  })
})

describe('Directory: memberships', () => {
  it("answers a user's groups, direct and transitive", async ({ expect }) => {
    const groups = await acmeOnly.groupsOfUser(ACME, s.ann.id)
    expect(groups).toEqual([
      expect.objectContaining({ value: s.eng.id, display: `eng-${run}`, type: 'direct' }),
      expect.objectContaining({ value: s.staff.id, display: `staff-${run}`, type: 'indirect' }),
    ])
    expect(await acmeOnly.groupsOfUser(ACME, crypto.randomUUID())).toBeNull()
  })

  it("pages a group's members with a cursor bound to the group", async ({ expect }) => {
    const expected = [s.eng.id, s.bob.id, s.cy.id].sort()
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await acmeOnly.groupMembers(ACME, s.staff.id, { count: 2, ...(cursor ? { cursor } : {}) })
      if (!page) throw new Error('staff not found')
      seen.push(...page.members.map((m) => m.value))
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect([seen, pages]).toEqual([expected, 2])
    const first = await acmeOnly.groupMembers(ACME, s.staff.id, { count: 1 })
    expect(first?.members[0]).toMatchObject({ $ref: expect.stringContaining('/scim/v2/') })
    const misused = acmeOnly.groupMembers(ACME, s.eng.id, { cursor: first?.nextCursor })
    expect((await failureOf(misused)).code).toBe('invalidCursor')
    expect((await failureOf(acmeOnly.groupMembers(ACME, s.staff.id, { count: 0 }))).code).toBe('invalidCount')
  })

  it('answers isMember transitively', async ({ expect }) => {
    expect(await acmeOnly.isMember(ACME, s.ann.id, s.eng.id)).toBe(true)
    expect(await acmeOnly.isMember(ACME, s.ann.id, s.staff.id)).toBe(true)
    expect(await acmeOnly.isMember(ACME, s.bob.id, s.eng.id)).toBe(false)
    expect(await acmeOnly.isMember(ACME, crypto.randomUUID(), s.eng.id)).toBe(false)
    // A group id in the user's place is no user.
    expect(await acmeOnly.isMember(ACME, s.eng.id, s.staff.id)).toBe(false)
  })

  it('sees a membership removed by the identity provider on the next read', async ({ expect }) => {
    const group = await createGroup(s.acme, `temp-${run}`, [s.bob.id])
    expect(await acmeOnly.isMember(ACME, s.bob.id, group.id)).toBe(true)
    const res = await scim(s.acme, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'remove', path: `members[value eq "${s.bob.id}"]` }),
    })
    expect(res.status).toBe(204)
    expect(await acmeOnly.isMember(ACME, s.bob.id, group.id)).toBe(false)
  })
})
