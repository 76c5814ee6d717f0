import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { openDatabase } from '../../src/db/database'
import { countRoundTrips, newRoundTripStats } from '../../src/db/round-trips'
import { DEFAULT_LIMITS } from '../../src/limits'
import { executeBulk } from '../../src/resources/bulk/bulk-execute'
import { bulkQueryBudget, maxBulkOperations } from '../../src/resources/bulk/bulk-limits'
import { parseBulkRequest } from '../../src/resources/bulk/bulk-request'
import { builtinRegistry } from '../../src/schema/builtin'
import { tenantKey } from '../../src/tenancy/tenant-record'
import { createUser, oktaUser, patchOp } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'

const emails = (n: number, prefix = 'e') =>
  Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@example.com`, type: 'work' }))

describe('a multi-valued attribute holds at most MAX_MULTI_VALUED_ELEMENTS (issue #12 §2)', () => {
  const cap = DEFAULT_LIMITS.multiValuedElements

  it('refuses 20,000 emails in a PATCH add before comparing them, as POST does for the same list', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'many@example.com')
    const value = emails(20_000)
    const patched = await scim(tenant, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchOp({ op: 'add', path: 'emails', value }),
    })
    expect(patched.status).toBe(400)
    expect(patched.json).toMatchObject({ scimType: 'invalidValue' })
    expect(patched.json.detail).toContain(`MAX_MULTI_VALUED_ELEMENTS (${cap})`)
    const posted = await scim(tenant, '/Users', { body: oktaUser('many2@example.com', { emails: value }) })
    expect(posted.status).toBe(400)
    expect(posted.json.detail).toBe(patched.json.detail)
  })

  it('refuses a PATCH that would grow the list past the bound, and accepts one up to it', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'grow@example.com', { emails: emails(cap / 2, 'a') })
    const add = (value: unknown[]) =>
      scim(tenant, `/Users/${user.id}`, {
        method: 'PATCH',
        body: patchOp({ op: 'add', path: 'emails', value }),
      })
    const full = await add(emails(cap / 2, 'b'))
    expect(full.status, full.text).toBe(200)
    expect(full.json.emails).toHaveLength(cap)
    const over = await add(emails(1, 'c'))
    expect(over.status).toBe(400)
    expect(over.json.detail).toContain('MAX_MULTI_VALUED_ELEMENTS')
    expect((await scim(tenant, `/Users/${user.id}`)).json.emails).toHaveLength(cap)
  })
})

describe('/Bulk stays within MAX_QUERIES_PER_INVOCATION (issue #12 §5)', () => {
  const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
  const patchTitle = (id: string, title: string) => ({
    method: 'PATCH',
    path: `/Users/${id}`,
    data: patchOp({ op: 'replace', path: 'title', value: title }),
  })

  /** The tenant as the Worker builds it, with a budget of `queries` and its D1 round trips counted. */
  async function budgeted(tenant: TestTenant, queries: number) {
    const record = await env.TENANTS.get(tenantKey(tenant.name), 'json')
    const stats = newRoundTripStats()
    const d1 = countRoundTrips(env.DB, stats)
    const limits = { ...DEFAULT_LIMITS, queriesPerInvocation: queries }
    const ctx = {
      ...{
        name: tenant.name,
        record,
        registry: builtinRegistry,
        baseUrl: tenant.baseUrl,
        tokenId: tenant.tokenId,
      },
      ...{ d1, db: openDatabase(d1), limits, writtenEvents: [] },
    } as never
    const run = (operations: unknown[]) => {
      const request = parseBulkRequest({ schemas: [BULK], Operations: operations }, maxBulkOperations(limits))
      return executeBulk(ctx, request, () => bulkQueryBudget(limits) - stats.count)
    }
    return { stats, run, maxOperations: maxBulkOperations(limits) }
  }

  it('advertises as maxOperations what the budget runs when every operation waits for the one before', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const spc = await scim(tenant, '/ServiceProviderConfig')
    const maxOperations = spc.json.bulk.maxOperations
    expect(maxOperations).toBe(maxBulkOperations(DEFAULT_LIMITS))
    expect(2 * maxOperations).toBeLessThanOrEqual(DEFAULT_LIMITS.queriesPerInvocation - 5)
    const user = await createUser(tenant, 'chain@example.com')
    const over = await scim(tenant, '/Bulk', {
      body: {
        schemas: [BULK],
        Operations: Array.from({ length: maxOperations + 1 }, (_, i) => patchTitle(user.id, `t${i}`)),
      },
    })
    expect(over.status).toBe(413)
    expect(over.json.detail).toContain('MAX_QUERIES_PER_INVOCATION')
  })

  it('runs maxOperations dependent PATCHes of one user within the budget', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'dependent@example.com')
    const { stats, run, maxOperations } = await budgeted(tenant, 50)
    const outcomes = await run(Array.from({ length: maxOperations }, (_, i) => patchTitle(user.id, `t${i}`)))
    expect(outcomes.map((o) => o.status)).toEqual(Array(maxOperations).fill('200'))
    expect(stats.count).toBeLessThanOrEqual(bulkQueryBudget({ ...DEFAULT_LIMITS, queriesPerInvocation: 50 }))
  })

  it('fails the operations that a re-run would take past the budget with 413 naming it', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const taken = await createUser(tenant, 'taken@example.com')
    const { stats, run, maxOperations } = await budgeted(tenant, 50)
    // Created by /Bulk, which keeps no user in the isolate's memory: each PATCH reads its user first.
    const created = await scim(tenant, '/Bulk', {
      body: {
        schemas: [BULK],
        Operations: Array.from({ length: maxOperations }, (_, i) => ({
          method: 'POST',
          path: '/Users',
          bulkId: `b${i}`,
          data: oktaUser(`b${i}@example.com`),
        })),
      },
    })
    const users: { id: string }[] = created.json.Operations.map((o: { location: string }) => ({
      id: o.location.split('/').at(-1),
    }))
    // The first operation fails its batch (409), so every operation is re-run alone: two round trips each.
    const rename = {
      method: 'PATCH',
      path: `/Users/${users[0]?.id}`,
      data: patchOp({ op: 'replace', path: 'userName', value: taken.userName }),
    }
    const outcomes = await run([rename, ...users.slice(1).map((u) => patchTitle(u.id, 'x'))])
    const statuses = outcomes.map((o) => o.status)
    expect(statuses[0]).toBe('409')
    expect(statuses).toContain('200')
    expect(statuses.at(-1)).toBe('413')
    expect(outcomes.at(-1)?.response?.detail).toContain('MAX_QUERIES_PER_INVOCATION')
    expect(stats.count).toBeLessThanOrEqual(bulkQueryBudget({ ...DEFAULT_LIMITS, queriesPerInvocation: 50 }))
  })
})
