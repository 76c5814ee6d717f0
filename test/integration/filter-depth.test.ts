/**
 * Filters at the parser's limits (50 levels of nesting, 200 expressions) against real D1: SQLite
 * refuses expression trees deeper than 100 ("Expression tree is too large"), so the compiler must
 * keep the SQL of every accepted filter within that, whatever its shape. Every filter here is
 * accepted by the parser, so each must answer 200.
 */
import { exports } from 'cloudflare:workers'
import { afterEach, beforeAll, beforeEach, describe, it, vi } from 'vitest'
import { deepFilterShapes, rightNested } from '../../scripts/lib/fuzz-deep-filters'
import { SEARCH_REQUEST as SEARCH } from '../../src/schema/urns'
import { createGroup, createUser } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

let tenant: TestTenant
let userId: string

beforeAll(async () => {
  tenant = await createTenant()
  userId = (await createUser(tenant, 'deep@example.com', { title: 'Engineer' })).id
  await createGroup(tenant, 'Deep', [userId])
})

let logged: string[] = []
beforeEach(() => {
  logged = []
  vi.spyOn(console, 'log').mockImplementation(() => {})
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(' ').slice(0, 300))
  })
})
afterEach(() => vi.restoreAllMocks())

const q = encodeURIComponent
const repeat = (n: number, text: string, separator: string) => Array(n).fill(text).join(separator)

describe('filters at the parser limits compile within SQLite expression depth', () => {
  it.for([
    ['45 and-ed terms', repeat(45, 'title pr', ' and ')],
    ['100 and-ed terms (199 expressions)', repeat(100, 'title pr', ' and ')],
    ['100 or-ed terms', repeat(100, 'title pr', ' or ')],
    ['25 nested not', `${'not ('.repeat(25)}title pr${')'.repeat(25)}`],
    ['50 nested not', `${'not ('.repeat(50)}title pr${')'.repeat(50)}`],
    ['49 nested parentheses', `${'('.repeat(49)}title pr${')'.repeat(49)}`],
    ['49 nested parentheses, each with an and', `${'title pr and ('.repeat(49)}title pr${')'.repeat(49)}`],
  ] as const)('%s', async ([, filter], { expect }) => {
    const res = await scim(tenant, `/Users?filter=${q(filter)}`)
    expect(res.status, res.text.slice(0, 300)).toBe(200)
    // An odd number of `not` around `title pr` matches no one.
    expect(res.json.totalResults).toBe(1 - ((filter.match(/not \(/g) ?? []).length % 2))
  })

  it.for(deepFilterShapes('User'))('$name, sorted and paged by cursor', async ({ filter }, { expect }) => {
    for (const query of ['', '&sortBy=emails&cursor=&count=1', '&sortBy=name.familyName&startIndex=1']) {
      const res = await scim(tenant, `/Users?filter=${q(filter)}${query}`)
      expect(res.status, `${query}: ${res.text.slice(0, 300)}`).toBe(200)
    }
    expect(logged).toEqual([])
  })

  it.for(deepFilterShapes('Group'))('$name', async ({ filter }, { expect }) => {
    const res = await scim(tenant, `/Groups?filter=${q(filter)}&sortBy=displayName&cursor=`)
    expect(res.status, res.text.slice(0, 300)).toBe(200)
    expect(logged).toEqual([])
  })

  it.for(deepFilterShapes('root'))('$name, through /.search, by cursor', async ({ filter }, { expect }) => {
    const body = { schemas: [SEARCH], filter, sortBy: 'meta.lastModified', count: 1 }
    const first = await scim(tenant, '/.search', { method: 'POST', body: { ...body, cursor: '' } })
    expect(first.status, first.text.slice(0, 300)).toBe(200)
    if (first.json.nextCursor) {
      const next = await scim(tenant, '/.search', {
        method: 'POST',
        body: { ...body, cursor: first.json.nextCursor },
      })
      expect(next.status, next.text.slice(0, 300)).toBe(200)
    }
    expect(logged).toEqual([])
  })

  // And and or alternating at every level cannot be flattened: the deepest shapes there are, swept
  // level by level. Each answers 200 (D1 ran it) or 400 naming the limit, never a 5xx.
  it.for([
    ['Users', 'and/or', (n: number) => rightNested(n, ['title pr', 'userName ne "x"'], false)],
    [
      'Users',
      'and/or over value filters',
      (n: number) =>
        rightNested(n, ['title pr', 'emails[value pr and display pr]', 'groups[display pr]'], false),
    ],
    [
      'Users',
      'inside emails (JSON)',
      (n: number) => `emails[${rightNested(n - 1, ['display pr', 'value pr'], false)}]`,
    ],
    [
      'Users',
      'inside emails (rows)',
      (n: number) => `emails[${rightNested(n - 1, ['type eq "work"', 'value pr'], false)}]`,
    ],
    [
      'Users',
      'inside groups',
      (n: number) => `groups[${rightNested(n - 1, ['display pr', 'type ne "x"'], false)}]`,
    ],
    [
      'Groups',
      'inside members',
      (n: number) => `members[${rightNested(n - 1, ['display ne "D"', 'value pr'], false)}]`,
    ],
  ] as const)('%s, %s: every level up to 51', async ([endpoint, , shape], { expect }) => {
    const answers: string[] = []
    for (let levels = 1; levels <= 51; levels++) {
      const res = await scim(tenant, `/${endpoint}?filter=${q(shape(levels))}&sortBy=meta.created&cursor=`)
      const refused = res.status === 400 && /nested too deeply|nests more than 50/.test(res.json.detail)
      if (res.status !== 200 && !refused) answers.push(`${levels}: ${res.status} ${res.text.slice(0, 200)}`)
    }
    expect(answers).toEqual([])
    expect(logged).toEqual([])
  })

  it('also in a PATCH path on members', async ({ expect }) => {
    const group = await createGroup(tenant, `Patch-${crypto.randomUUID()}`, [userId])
    const filter = `${'not ('.repeat(24)}value eq "${userId}" or (type pr and (display pr or (value pr and ($ref pr))))${')'.repeat(24)}`
    const res = await exports.default.fetch(`https://${tenant.host}/scim/v2/Groups/${group.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path: `members[${filter}]` }],
      }),
    })
    expect(res.status, await res.clone().text()).toBeLessThan(500)
  })
})
