import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { countRoundTrips, newRoundTripStats } from '../../src/db/round-trips'
import { DEFAULT_LIMITS } from '../../src/limits'
import { listResources } from '../../src/query/list'
import { parseListQuery } from '../../src/query/list-params'
import { builtinRegistry } from '../../src/schema/builtin'
import { createGroup, createUser, GROUP, patchOp } from '../support/fixtures'
import { buildGroupGraph } from '../support/group-graph'
import { rowsRead, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

// Issue #12 §1, scaled down: 8 levels of 8 groups, each containing all 8 of the level below, with
// 48 users in every bottom group. Every user is in all 64 groups, 56 of them indirectly, through
// 8^7 paths to the top. A walk that visits each group once reads a few rows per membership; one
// that walks per user (or per path) reads users × groups × width rows.
const [LEVELS, WIDTH, USERS] = [8, 8, 48]
// Rows D1 may read per membership (index entries of the walk, the group rows, the users scanned).
const ROWS_PER_EDGE = 8

describe('nested groups cost what the group graph holds, not its paths (issue #12 §1)', () => {
  it('answers groups[type eq "indirect"] reading rows linear in the memberships', async ({ expect }) => {
    const tenant = await createTenant()
    const graph = await buildGroupGraph(tenant, LEVELS, WIDTH, USERS)
    const res = await scim(
      tenant,
      `/Users?count=0&filter=${encodeURIComponent('groups[type eq "indirect"]')}`,
    )
    expect(res.status).toBe(200)
    expect(res.json.totalResults).toBe(USERS)
    expect(rowsRead(res.headers)).toBeLessThan(ROWS_PER_EDGE * graph.edges)
  })

  it("answers a page of users with their groups reading rows linear in the page's memberships", async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const graph = await buildGroupGraph(tenant, LEVELS, WIDTH, USERS)
    const res = await scim(tenant, '/Users?count=1000')
    expect(res.status).toBe(200)
    expect(rowsRead(res.headers)).toBeLessThan(ROWS_PER_EDGE * graph.edges)
    const [first] = res.json.Resources
    expect(first.groups).toHaveLength(LEVELS * WIDTH)
    const types = first.groups.map((g: { type: string }) => g.type)
    expect(types.filter((t: string) => t === 'direct')).toHaveLength(WIDTH)
  })
})

describe('a page stops before its computed attributes exceed MAX_COMPUTED_ELEMENTS_PER_PAGE', () => {
  it('answers fewer resources than count, and the next page goes on from there', async ({ expect }) => {
    const tenant = await createTenant()
    await buildGroupGraph(tenant, 4, 4, 10)
    const limits = { ...DEFAULT_LIMITS, computedElementsPerPage: 40 }
    const ctx = { name: tenant.name, registry: builtinRegistry, baseUrl: tenant.baseUrl, d1: env.DB, limits }
    // Every user is in 16 groups: two users fit in 40 elements, a third would not.
    const first = await listResources(ctx as never, 'User', parseListQuery({ count: '1000' }), undefined)
    expect(first).toMatchObject({ totalResults: 10, itemsPerPage: 2, startIndex: 1 })
    expect(first.Resources.map((r) => (r.groups as unknown[]).length)).toEqual([16, 16])
    const next = await listResources(ctx as never, 'User', parseListQuery({ startIndex: '3' }), undefined)
    expect(next.itemsPerPage).toBe(2)
    expect(next.Resources[0]?.id).not.toBe(first.Resources[1]?.id)
    // Without groups the page is whole.
    const ids = await listResources(ctx as never, 'User', parseListQuery({ attributes: 'id' }), undefined)
    expect(ids.itemsPerPage).toBe(10)
  })
})

describe("a page's membership reads stop at MAX_COMPUTED_ELEMENTS_PER_PAGE, whatever count asks", () => {
  // 100 users each in the same 40 groups (no nesting), and 10 groups of 100 users: 4,000
  // memberships. With a budget of 200 elements, a page holds 5 users or 2 groups, whose memberships
  // (200) are all it may read beyond the page's own rows (a few reads each: index, row, scans).
  const [GROUPS, USERS, BUDGET] = [40, 100, 200]
  const [ROWS_PER_PAGE_ROW, ROWS_PER_ELEMENT] = [6, 6]

  function budgeted(tenant: TestTenant) {
    const stats = newRoundTripStats()
    const d1 = countRoundTrips(env.DB, stats)
    const limits = { ...DEFAULT_LIMITS, computedElementsPerPage: BUDGET }
    const ctx = { name: tenant.name, registry: builtinRegistry, baseUrl: tenant.baseUrl, d1, limits }
    return { stats, ctx: ctx as never }
  }

  it('reads the groups of the users that fit, not of every user count asks for', async ({ expect }) => {
    const tenant = await createTenant()
    await buildGroupGraph(tenant, 1, GROUPS, USERS)
    const { stats, ctx } = budgeted(tenant)
    const page = await listResources(ctx, 'User', parseListQuery({ count: String(USERS) }), undefined)
    expect(page).toMatchObject({ totalResults: USERS, itemsPerPage: BUDGET / GROUPS })
    expect(page.Resources.every((r) => (r.groups as unknown[]).length === GROUPS)).toBe(true)
    expect(stats.rowsRead).toBeLessThan(ROWS_PER_PAGE_ROW * USERS + ROWS_PER_ELEMENT * BUDGET)
  })

  it('reads the members of the groups that fit, not of every group count asks for', async ({ expect }) => {
    const tenant = await createTenant()
    const users = await buildGroupGraph(tenant, 1, 10, USERS)
    const { stats, ctx } = budgeted(tenant)
    const page = await listResources(ctx, 'Group', parseListQuery({ count: '10' }), undefined)
    expect(page).toMatchObject({ totalResults: 10, itemsPerPage: BUDGET / users.users })
    expect(page.Resources.every((r) => (r.members as unknown[]).length === USERS)).toBe(true)
    expect(stats.rowsRead).toBeLessThan(ROWS_PER_PAGE_ROW * 10 + ROWS_PER_ELEMENT * BUDGET)
  })
})

describe('when nesting multiplies the groups, a page reads the memberships of about the users it answers', () => {
  // 12 levels of 2 groups over 100 users: each user is directly in 2 groups and reaches 24, so a
  // budget of 240 elements holds 10 users. Reading budget-worth of memberships (241 rows) reads all
  // 200 of the page's; the first user's 24 groups through 2 say that 20 more fit.
  const [LEVELS, WIDTH, USERS, BUDGET] = [12, 2, 100, 240]

  function budgeted(tenant: TestTenant, budget: number) {
    const stats = newRoundTripStats()
    const d1 = countRoundTrips(env.DB, stats)
    const limits = { ...DEFAULT_LIMITS, computedElementsPerPage: budget }
    const ctx = { name: tenant.name, registry: builtinRegistry, baseUrl: tenant.baseUrl, d1, limits }
    return { stats, ctx: ctx as never }
  }

  it('answers in one round trip, reading rows linear in the nestings and the answered memberships', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    await buildGroupGraph(tenant, LEVELS, WIDTH, USERS)
    const withGroups = budgeted(tenant, BUDGET)
    const page = await listResources(
      withGroups.ctx,
      'User',
      parseListQuery({ count: String(USERS) }),
      undefined,
    )
    const answered = BUDGET / (LEVELS * WIDTH)
    expect(page).toMatchObject({ totalResults: USERS, itemsPerPage: answered })
    expect(page.Resources.every((r) => (r.groups as unknown[]).length === LEVELS * WIDTH)).toBe(true)
    expect(withGroups.stats.count).toBe(1)
    // What the groups add to the same page without them: the walk over the nestings, the
    // memberships of the users answered, and the page's ids read again (1,429 rows when every
    // membership the budget allowed was read).
    const plain = budgeted(tenant, BUDGET)
    const query = parseListQuery({ count: String(USERS), excludedAttributes: 'groups' })
    await listResources(plain.ctx, 'User', query, undefined)
    const nestings = (LEVELS - 1) * WIDTH * WIDTH
    const bound = ROWS_PER_EDGE * (nestings + WIDTH * answered) + 2 * USERS
    expect(withGroups.stats.rowsRead - plain.stats.rowsRead).toBeLessThan(bound)
  })

  it("reads the rest in a second round trip when the first user's groups overstate the others'", async ({
    expect,
  }) => {
    const tenant = await createTenant()
    // The first user reaches 24 groups through 2; the 60 after it are each directly in 10 groups.
    await buildGroupGraph(tenant, LEVELS, WIDTH, 1)
    await buildGroupGraph(tenant, 1, 10, 60, 'Flat')
    const { stats, ctx } = budgeted(tenant, BUDGET)
    const page = await listResources(ctx, 'User', parseListQuery({ count: '100' }), undefined)
    // 24 + 21 × 10 = 234 elements: the first read (20 memberships past the first user) held two.
    expect(page).toMatchObject({ totalResults: 61, itemsPerPage: 22 })
    expect(page.Resources.map((r) => (r.groups as unknown[]).length)).toEqual([24, ...Array(21).fill(10)])
    expect(stats.count).toBe(2)
  })
})

describe('a user\'s groups: "direct" when a member of the group itself, whatever else nests it', () => {
  it('filters every shape of groups value filter exactly as GET renders the groups', async ({ expect }) => {
    const tenant = await createTenant()
    // A ⊃ B ⊃ C. u1 in C; u2 in B and A (both direct); u3 in C and A (B indirect); u4 in none.
    const [u1, u2, u3, u4] = await Promise.all(
      ['u1', 'u2', 'u3', 'u4'].map((n) => createUser(tenant, `${n}-${crypto.randomUUID()}@x.example`)),
    )
    const c = await createGroup(tenant, 'C', [u1.id, u3.id])
    const b = await createGroup(tenant, 'B', [c.id, u2.id])
    const a = await createGroup(tenant, 'A', [b.id, u2.id, u3.id])
    const name = new Map([u1, u2, u3, u4].map((u, i) => [u.id, `u${i + 1}`]))
    const users = async (filter: string) => {
      const res = await scim(tenant, `/Users?attributes=id&filter=${encodeURIComponent(filter)}`)
      expect(res.status, res.text).toBe(200)
      return res.json.Resources.map((r: { id: string }) => name.get(r.id)).sort()
    }
    expect(await users('groups[type eq "indirect"]')).toEqual(['u1', 'u3'])
    expect(await users('groups[type eq "direct"]')).toEqual(['u1', 'u2', 'u3'])
    expect(await users('not (groups[type eq "indirect"])')).toEqual(['u2', 'u4'])
    expect(await users('groups[display eq "a"]')).toEqual(['u1', 'u2', 'u3'])
    expect(await users('groups[display eq "b" or display eq "c"]')).toEqual(['u1', 'u2', 'u3'])
    expect(await users('groups[display eq "A" and type eq "indirect"]')).toEqual(['u1'])
    expect(await users('groups[display eq "B" and type eq "indirect"]')).toEqual(['u1', 'u3'])
    expect(await users('groups[display eq "C" and type eq "direct"]')).toEqual(['u1', 'u3'])
    expect(await users(`groups[value eq "${a.id}" and type eq "indirect"]`)).toEqual(['u1'])
    expect(await users(`groups[value eq "${b.id}" and type eq "direct"]`)).toEqual(['u2'])
    expect(await users(`groups[value eq "${b.id}" and display eq "b"]`)).toEqual(['u1', 'u2', 'u3'])
    const read = await scim(tenant, `/Users/${u3.id}`)
    expect(read.json.groups.map((g: { display: string; type: string }) => `${g.display}:${g.type}`)).toEqual([
      'A:direct',
      'B:indirect',
      'C:direct',
    ])
  })
})

describe('nesting bounds are checked on write (MAX_GROUP_NESTING_DEPTH, MAX_NESTED_GROUPS_PER_GROUP)', () => {
  const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
  const groupOps = (count: number, nest: boolean) =>
    Array.from({ length: count }, (_, i) => ({
      method: 'POST',
      path: '/Groups',
      bulkId: `g${i}`,
      data: {
        schemas: [GROUP],
        displayName: `G${i}`,
        members: nest && i > 0 ? [{ value: `bulkId:g${i - 1}` }] : [],
      },
    }))

  it('refuses a chain of nested groups longer than the bound with 400 invalidValue naming it', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const depth = DEFAULT_LIMITS.groupNestingDepth
    const built = await scim(tenant, '/Bulk', {
      body: { schemas: [BULK], Operations: groupOps(depth, true) },
    })
    expect(built.json.Operations.map((o: { status: string }) => o.status)).toEqual(Array(depth).fill('201'))
    const top = built.json.Operations.at(-1).location.split('/').pop()
    const bottom = built.json.Operations[0].location.split('/').pop()
    const over = await scim(tenant, '/Groups', {
      body: { schemas: [GROUP], displayName: 'Over', members: [{ value: top }] },
    })
    expect(over.status).toBe(400)
    expect(over.json).toMatchObject({ scimType: 'invalidValue' })
    expect(over.json.detail).toContain(`MAX_GROUP_NESTING_DEPTH`)
    // Below the bottom, through PATCH: the same, and nothing is applied.
    const leaf = await createGroup(tenant, 'Leaf')
    const patch = await scim(tenant, `/Groups/${bottom}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: leaf.id }] }),
    })
    expect(patch.status).toBe(400)
    expect(patch.json.detail).toContain(`${depth}`)
    const read = await scim(tenant, `/Groups/${bottom}`)
    expect(read.json.members ?? []).toEqual([])
    expect((await scim(tenant, '/Groups?filter=displayName eq "Over"')).json.totalResults).toBe(0)
  })

  it('refuses more nested groups in one group than the bound', async ({ expect }) => {
    const tenant = await createTenant()
    const limit = DEFAULT_LIMITS.nestedGroupsPerGroup
    // In requests of 250 operations, within bulk.maxOperations.
    const ids: { value: string }[] = []
    for (let first = 0; first < limit; first += 250) {
      const Operations = groupOps(limit, false).slice(first, first + 250)
      const built = await scim(tenant, '/Bulk', { body: { schemas: [BULK], Operations } })
      ids.push(
        ...built.json.Operations.map((o: { location: string }) => ({ value: o.location.split('/').pop() })),
      )
    }
    const full = await scim(tenant, '/Groups', {
      body: { schemas: [GROUP], displayName: 'Full', members: ids },
    })
    expect(full.status).toBe(201)
    const extra = await createGroup(tenant, 'Extra')
    const res = await scim(tenant, `/Groups/${full.json.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'members', value: [{ value: extra.id }] }),
    })
    expect(res.status).toBe(400)
    expect(res.json.detail).toContain('MAX_NESTED_GROUPS_PER_GROUP')
  })
})
