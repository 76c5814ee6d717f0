import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { sealCursor } from '../../src/query/cursor'
import { MAX_PAGE_SIZE } from '../../src/query/limits'
import { createGroup, createUser, ERROR, LIST } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const q = (value: string) => encodeURIComponent(value)

async function get(tenant: TestTenant, path: string) {
  const res = await scim(tenant, path)
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`)
  if (roundTrips(res.headers) !== 1) throw new Error(`GET ${path}: ${roundTrips(res.headers)} D1 round trips`)
  return res.json
}

async function search(tenant: TestTenant, path: string, body: Record<string, unknown>) {
  const res = await scim(tenant, path, { body: { schemas: [SEARCH], ...body } })
  if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${res.text}`)
  if (roundTrips(res.headers) !== 1)
    throw new Error(`POST ${path}: ${roundTrips(res.headers)} D1 round trips`)
  return res.json
}

const names = (body: { Resources: { userName: string }[] }) => body.Resources.map((r) => r.userName)

/** Seven users created in order u0…u6, with userNames in mixed case and some without a title. */
async function sevenUsers() {
  const tenant = await createTenant()
  const users = []
  for (const [i, userName] of ['carol', 'Alice', 'bob', 'Émile', 'dave', 'ALBERT', 'zed'].entries()) {
    users.push(await createUser(tenant, userName, i % 2 === 0 ? { title: `T${7 - i}` } : {}))
  }
  return { tenant, users }
}

describe('startIndex and count (RFC 7644 §3.4.2.4)', () => {
  it('clamps and defaults both, counts the whole filtered set, and reports the items it returns', async ({
    expect,
  }) => {
    const { tenant } = await sevenUsers()
    const created = ['carol', 'Alice', 'bob', 'Émile', 'dave', 'ALBERT', 'zed']
    expect(await get(tenant, '/Users?startIndex=3&count=2')).toMatchObject({
      schemas: [LIST],
      totalResults: 7,
      startIndex: 3,
      itemsPerPage: 2,
      Resources: [{ userName: 'bob' }, { userName: 'Émile' }],
    })
    expect(names(await get(tenant, '/Users?startIndex=0&count=1'))).toEqual(['carol'])
    expect(names(await get(tenant, '/Users'))).toEqual(created)
    expect(await get(tenant, '/Users?count=0')).toEqual({
      schemas: [LIST],
      totalResults: 7,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    })
    expect((await get(tenant, '/Users?count=-5')).itemsPerPage).toBe(0)
    expect((await get(tenant, `/Users?count=${MAX_PAGE_SIZE * 10}`)).itemsPerPage).toBe(7)
    expect(await get(tenant, '/Users?startIndex=8')).toMatchObject({
      totalResults: 7,
      itemsPerPage: 0,
      Resources: [],
    })
    expect(await get(tenant, `/Users?filter=${q('title pr')}&startIndex=2&count=10`)).toMatchObject({
      totalResults: 4,
      itemsPerPage: 3,
    })
    const bad = await scim(tenant, '/Users?count=lots')
    expect(bad.status).toBe(400)
    expect(bad.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidCount' })
  })

  it('pages in creation order, then id, without repeating or skipping while resources are added', async ({
    expect,
  }) => {
    const { tenant } = await sevenUsers()
    const seen: string[] = []
    for (let startIndex = 1; startIndex <= 7; startIndex += 3) {
      seen.push(...names(await get(tenant, `/Users?startIndex=${startIndex}&count=3`)))
      // Created after the pages already read: they come last, so nothing read shifts.
      await createUser(tenant, `late${startIndex}`)
    }
    expect(seen).toEqual(['carol', 'Alice', 'bob', 'Émile', 'dave', 'ALBERT', 'zed', 'late1', 'late4'])
  })
})

describe('sorting (RFC 7644 §3.4.2.3)', () => {
  it('sorts by a caseExact: false attribute case-insensitively, descending as the exact reverse', async ({
    expect,
  }) => {
    const { tenant } = await sevenUsers()
    const ascending = names(await get(tenant, '/Users?sortBy=userName'))
    expect(ascending).toEqual(['ALBERT', 'Alice', 'bob', 'carol', 'dave', 'zed', 'Émile'])
    expect(names(await get(tenant, '/Users?sortBy=USERNAME&sortOrder=descending'))).toEqual(
      [...ascending].reverse(),
    )
    expect(names(await get(tenant, '/Users?sortBy=userName&startIndex=2&count=2'))).toEqual(['Alice', 'bob'])
  })

  it('puts resources without a value last ascending and first descending', async ({ expect }) => {
    const { tenant } = await sevenUsers()
    const titles = (body: { Resources: { title?: string }[] }) => body.Resources.map((r) => r.title ?? null)
    expect(titles(await get(tenant, '/Users?sortBy=title'))).toEqual([
      'T1',
      'T3',
      'T5',
      'T7',
      null,
      null,
      null,
    ])
    expect(titles(await get(tenant, '/Users?sortBy=title&sortOrder=descending'))).toEqual([
      null,
      null,
      null,
      'T7',
      'T5',
      'T3',
      'T1',
    ])
  })

  it('sorts by a sub-attribute, by the primary email, by meta.created, and rejects what cannot be sorted', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    await createUser(tenant, 'one', {
      name: { familyName: 'Young' },
      emails: [{ value: 'z@x' }, { value: 'b@x', primary: true }],
    })
    await createUser(tenant, 'two', { name: { familyName: 'adams' }, emails: [{ value: 'c@x' }] })
    expect(names(await get(tenant, '/Users?sortBy=name.familyName'))).toEqual(['two', 'one'])
    expect(names(await get(tenant, '/Users?sortBy=emails'))).toEqual(['one', 'two'])
    expect(names(await get(tenant, '/Users?sortBy=emails.value&sortOrder=descending'))).toEqual([
      'two',
      'one',
    ])
    expect(names(await get(tenant, '/Users?sortBy=meta.created&sortOrder=descending'))).toEqual([
      'two',
      'one',
    ])
    for (const sortBy of ['name', 'nosuch', 'groups']) {
      const res = await scim(tenant, `/Users?sortBy=${sortBy}`)
      expect(res.status, sortBy).toBe(400)
      expect(res.json.scimType).toBe('invalidValue')
    }
  })
})

describe('cursors (RFC 9865)', () => {
  /** Follows nextCursor from an empty cursor to the last page. */
  async function walk(tenant: TestTenant, query: string) {
    // RFC 9865 §2 writes the first request with a bare `cursor` parameter.
    const pages = [await get(tenant, `/Users?${query}&cursor&count=3`)]
    while (pages.at(-1).nextCursor) {
      pages.push(await get(tenant, `/Users?${query}&count=3&cursor=${pages.at(-1).nextCursor}`))
    }
    return pages
  }

  it('walks forward and back over the same order as startIndex, with totalResults on every page', async ({
    expect,
  }) => {
    const { tenant } = await sevenUsers()
    for (const query of [
      'sortBy=userName',
      'sortBy=title&sortOrder=descending',
      `filter=${q('userName ne "bob"')}`,
    ]) {
      const pages = await walk(tenant, query)
      const all = names(await get(tenant, `/Users?${query}`))
      expect(pages.flatMap(names), query).toEqual(all)
      expect(pages.every((p) => p.totalResults === all.length && p.startIndex === undefined)).toBe(true)
      expect(pages[0].previousCursor).toBeUndefined()
      expect(pages.at(-1).nextCursor).toBeUndefined()
      const back = await get(tenant, `/Users?${query}&count=3&cursor=${pages[1].previousCursor}`)
      expect(names(back)).toEqual(names(pages[0]))
      expect(back.previousCursor).toBeUndefined()
      expect(back.nextCursor).toBeDefined()
      expect(names(await get(tenant, `/Users?${query}&count=3&cursor=${back.nextCursor}`))).toEqual(
        names(pages[1]),
      )
    }
  })

  it('answers POST .search with a cursor exactly like GET', async ({ expect }) => {
    const { tenant } = await sevenUsers()
    const viaGet = await get(tenant, '/Users?sortBy=userName&count=2&cursor=')
    const viaPost = await search(tenant, '/Users/.search', { sortBy: 'userName', count: 2, cursor: '' })
    expect(names(viaPost)).toEqual(names(viaGet))
    const next = await search(tenant, '/Users/.search', {
      sortBy: 'userName',
      count: 2,
      cursor: viaPost.nextCursor,
    })
    expect(names(next)).toEqual(['bob', 'carol'])
  })

  it('refuses tampered cursors, and those of another tenant, query or sort, with 400 invalidCursor', async ({
    expect,
  }) => {
    const { tenant } = await sevenUsers()
    const other = await createTenant()
    await createUser(other, 'someone')
    const { nextCursor } = await get(tenant, '/Users?sortBy=userName&count=2&cursor=')
    const tampered = `${nextCursor.slice(0, 5)}${nextCursor[5] === 'A' ? 'B' : 'A'}${nextCursor.slice(6)}`
    const attempts: [TestTenant, string][] = [
      [tenant, `/Users?sortBy=userName&count=2&cursor=${tampered}`],
      [other, `/Users?sortBy=userName&count=2&cursor=${nextCursor}`],
      [tenant, `/Users?sortBy=title&count=2&cursor=${nextCursor}`],
      [tenant, `/Users?sortBy=userName&sortOrder=descending&count=2&cursor=${nextCursor}`],
      [tenant, `/Users?sortBy=userName&filter=${q('userName pr')}&count=2&cursor=${nextCursor}`],
      [tenant, `/Groups?sortBy=displayName&count=2&cursor=${nextCursor}`],
      [tenant, '/Users?cursor=garbage'],
    ]
    const details = new Set<string>()
    for (const [who, path] of attempts) {
      const res = await scim(who, path)
      expect(res.status, path).toBe(400)
      expect(res.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidCursor' })
      details.add(res.json.detail)
    }
    // RFC 9865 §5.2 — the same message whatever the reason.
    expect(details.size).toBe(1)
  })

  it('refuses an expired cursor with 400 expiredCursor', async ({ expect }) => {
    const { tenant, users } = await sevenUsers()
    const secret = env.CURSOR_SECRET ?? ''
    const binding = {
      tenant: tenant.name,
      resourceType: 'User',
      filter: undefined,
      sortBy: undefined,
      sortOrder: 'ascending',
    } as const
    const position = { direction: 'next', after: { key: users[0].meta.created, id: users[0].id } } as const
    const stale = await sealCursor(secret, binding, position, Date.now() - 2 * 3600 * 1000)
    const res = await scim(tenant, `/Users?count=2&cursor=${stale}`)
    expect(res.status).toBe(400)
    expect(res.json.scimType).toBe('expiredCursor')
    const fresh = await sealCursor(secret, binding, position)
    expect(names(await get(tenant, `/Users?count=2&cursor=${fresh}`))).toEqual(['Alice', 'bob'])
  })
})

describe('.search (RFC 7644 §3.4.3)', () => {
  it('answers POST /Users/.search like the GET with the same parameters', async ({ expect }) => {
    const { tenant } = await sevenUsers()
    const viaGet = await get(
      tenant,
      `/Users?filter=${q('title pr')}&sortBy=userName&sortOrder=descending&startIndex=2&count=2&attributes=userName,title`,
    )
    const viaPost = await search(tenant, '/Users/.search', {
      filter: 'title pr',
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 2,
      count: 2,
      attributes: ['userName', 'title'],
    })
    expect(viaPost).toEqual(viaGet)
    expect(viaGet.Resources[0]).toEqual({
      schemas: expect.any(Array),
      id: expect.any(String),
      userName: 'dave',
      title: 'T3',
    })
  })

  it('searches Users and Groups together at the root', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'root@x.example', { displayName: 'Shared Name' })
    const group = await createGroup(tenant, 'Shared name', [user.id])
    const other = await createGroup(tenant, 'Other')
    const all = await search(tenant, '/.search', {})
    expect(all.Resources.map((r: { id: string }) => r.id)).toEqual([user.id, group.id, other.id])
    expect(all.totalResults).toBe(3)
    const byName = await search(tenant, '/.search', {
      filter: 'displayName eq "SHARED NAME"',
      attributes: ['displayName'],
    })
    expect(byName.Resources).toEqual([
      { schemas: [expect.stringContaining('User')], id: user.id, displayName: 'Shared Name' },
      { schemas: [expect.stringContaining('Group')], id: group.id, displayName: 'Shared name' },
    ])
    const groupsOnly = await search(tenant, '/.search', {
      filter: 'meta.resourceType eq "Group"',
      sortBy: 'displayName',
    })
    expect(groupsOnly.Resources.map((r: { id: string }) => r.id)).toEqual([other.id, group.id])
    // userName is a User attribute: groups never match it, and always match `ne`.
    expect((await search(tenant, '/.search', { filter: 'userName eq "root@x.example"' })).totalResults).toBe(
      1,
    )
    expect((await search(tenant, '/.search', { filter: 'userName ne "root@x.example"' })).totalResults).toBe(
      2,
    )
    const paged = await search(tenant, '/.search', { count: 2, cursor: '' })
    const rest = await search(tenant, '/.search', { count: 2, cursor: paged.nextCursor })
    expect([...paged.Resources, ...rest.Resources].map((r: { id: string }) => r.id)).toEqual([
      user.id,
      group.id,
      other.id,
    ])
    const unknown = await scim(tenant, '/.search', { body: { schemas: [SEARCH], filter: 'nosuch eq 1' } })
    expect(unknown.json.scimType).toBe('invalidFilter')
  })

  it('answers other methods on .search with 405 and Allow, and a body that is no SearchRequest with 400', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    for (const path of ['/Users/.search', '/Groups/.search', '/.search']) {
      const res = await scim(tenant, path)
      expect(res.status, path).toBe(405)
      expect(res.headers.get('allow')).toBe('POST')
    }
    const res = await scim(tenant, '/Users/.search', { body: { filter: 'userName pr' } })
    expect(res.status).toBe(400)
    expect(res.json.scimType).toBe('invalidSyntax')
  })
})
