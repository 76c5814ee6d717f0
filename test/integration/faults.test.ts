/**
 * Atomicity and faults (issue 7, point 3). Faults are injected by test-only wrappers around the REAL
 * bindings — the D1 database and KV namespace the other tests use — never by mocks: a wrapped call
 * either throws before reaching the binding, or reaches it and then throws (a commit whose answer
 * was lost), or sends one more, real, constraint-violating statement in the same D1 batch.
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { BULK_REQUEST } from '../../src/schema/urns'
import { createGroup, createUser, ERROR, GROUP, oktaUser, PATCH_OP, patchOp } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant, type TestTenant } from '../support/tenant'
import { tenantRows } from '../support/tenant-rows'
import { type Call, callWith, type Fault, faultyD1, isWrite } from '../support/wrapped-bindings'

// D1's own texts (developers.cloudflare.com/d1/observability/debug-d1/), as its binding throws them.
const TRANSIENT = [
  'D1_ERROR: Network connection lost.',
  'D1_ERROR: D1 DB is overloaded. Requests queued for too long.',
  'D1_ERROR: D1 DB is overloaded. Too many requests queued.',
  'D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.',
  'D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.',
  'D1_ERROR: Internal error in D1 DB storage caused object to be reset.',
  'D1_ERROR: D1 DB reset because its code was updated.',
]

// ---------------------------------------------------------------------------------------------
// Wrappers around the real bindings

/** The real KV namespace whose `get` fails as during an outage: it throws, or its promise rejects. */
function failingKv(real: KVNamespace, how: 'throws' | 'rejects'): KVNamespace {
  return new Proxy(real, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (property === 'get') {
        return how === 'throws'
          ? () => {
              throw new Error('KV GET failed: 503 Service Unavailable')
            }
          : () => Promise.reject(new Error('KV GET failed: Network connection lost.'))
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

// ---------------------------------------------------------------------------------------------
// The tenant's stored state, to prove that nothing of a failed request was applied

const snapshot = (tenant: TestTenant) => tenantRows(tenant.name)

const eventCount = async (tenant: TestTenant) =>
  (
    await env.DB.prepare('SELECT count(*) AS n FROM scim_events WHERE tenant_id = ?')
      .bind(tenant.name)
      .first<{ n: number }>()
  )?.n ?? 0

let errors: unknown[][] = []
let warnings: unknown[][] = []
beforeEach(() => {
  errors = []
  warnings = []
  vi.spyOn(console, 'error').mockImplementation((...args) => {
    errors.push(args)
  })
  vi.spyOn(console, 'warn').mockImplementation((...args) => {
    warnings.push(args)
  })
  vi.spyOn(console, 'log').mockImplementation(() => {})
})
afterEach(() => vi.restoreAllMocks())

/** A tenant with a user in a group, and the requests that write to them. */
async function world() {
  const tenant = await createTenant()
  const user = await createUser(tenant, `ada-${crypto.randomUUID()}@example.com`)
  const other = await createUser(tenant, `bob-${crypto.randomUUID()}@example.com`)
  const group = await createGroup(tenant, `Engineering ${crypto.randomUUID()}`, [user.id])
  const writes: [string, string, Call][] = [
    ['a user create', '/Users', { body: oktaUser(`new-${crypto.randomUUID()}@example.com`) }],
    [
      'a group create with members',
      '/Groups',
      {
        body: { schemas: [GROUP], displayName: `New ${crypto.randomUUID()}`, members: [{ value: user.id }] },
      },
    ],
    [
      'a user PUT',
      `/Users/${user.id}`,
      { method: 'PUT', body: oktaUser(user.userName, { displayName: 'Renamed', active: false }) },
    ],
    [
      'a user PATCH',
      `/Users/${user.id}`,
      { method: 'PATCH', body: patchOp({ op: 'replace', path: 'displayName', value: 'Patched' }) },
    ],
    [
      'a group PATCH adding a member',
      `/Groups/${group.id}`,
      { method: 'PATCH', body: patchOp({ op: 'add', path: 'members', value: [{ value: other.id }] }) },
    ],
    ['a user DELETE', `/Users/${user.id}`, { method: 'DELETE' }],
    ['a group DELETE', `/Groups/${group.id}`, { method: 'DELETE' }],
  ]
  return { tenant, user, other, group, writes }
}

// ---------------------------------------------------------------------------------------------

describe('atomicity: a request that fails in the middle of its write applies nothing', () => {
  /** A real statement that violates a unique constraint: it re-inserts an existing count's key. */
  async function violatingStatement() {
    const insert = `INSERT INTO resource_counts (tenant_id, resource_type, count) VALUES (?, 'User', 0)`
    const tenant = `fault-${crypto.randomUUID()}`
    await env.DB.prepare(insert).bind(tenant).run()
    return env.DB.prepare(insert).bind(tenant)
  }

  for (const position of ['in the middle', 'as the last statement'] as const) {
    it(`rolls back every write when a statement ${position} of its batch violates a constraint`, async ({
      expect,
    }) => {
      const { tenant, writes } = await world()
      const statement = await violatingStatement()
      for (const [what, path, call] of writes) {
        const before = await snapshot(tenant)
        const d1 = faultyD1(env.DB, ({ kind, sql }) =>
          kind === 'batch' && isWrite(sql)
            ? {
                inject: {
                  at: position === 'in the middle' ? Math.floor(sql.length / 2) : sql.length,
                  statement,
                },
              }
            : undefined,
        )
        errors = []
        const res = await callWith({ DB: d1.binding }, tenant, path, call)
        // An unexpected constraint failure is a server bug: a logged 500, never a partial write.
        expect(res.status, `${what}: ${res.text}`).toBe(500)
        expect(res.json).toMatchObject({ schemas: [ERROR], status: '500' })
        expect(res.text).not.toContain('UNIQUE')
        expect(errors, what).toHaveLength(1)
        expect(
          d1.calls.filter((c) => c.kind === 'batch' && isWrite(c.sql)),
          what,
        ).toHaveLength(1)
        expect(await snapshot(tenant), what).toEqual(before)
      }
    })
  }

  it('applies nothing of a PATCH whose fifth operation is invalid, and writes no event', async ({
    expect,
  }) => {
    const { tenant, user, other, group } = await world()
    const before = await snapshot(tenant)
    const userPatch = patchOp(
      { op: 'replace', path: 'displayName', value: 'One' },
      { op: 'add', path: 'nickName', value: 'Two' },
      { op: 'replace', path: 'active', value: false },
      { op: 'add', path: 'emails', value: [{ value: 'three@example.com', type: 'home' }] },
      { op: 'replace', path: 'name.givenName[value eq "x"]', value: 'Five' },
    )
    const groupPatch = patchOp(
      { op: 'add', path: 'members', value: [{ value: other.id }] },
      { op: 'remove', path: `members[value eq "${user.id}"]` },
      { op: 'replace', path: 'displayName', value: `Renamed ${crypto.randomUUID()}` },
      { op: 'add', path: 'externalId', value: 'ext-4' },
      { op: 'replace', path: 'id', value: 'stolen' },
    )
    for (const [path, body] of [
      [`/Users/${user.id}`, userPatch],
      [`/Groups/${group.id}`, groupPatch],
    ] as const) {
      const res = await scim(tenant, path, { method: 'PATCH', body })
      expect(res.status, res.text).toBe(400)
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '400' })
      expect(res.json.scimType).toMatch(/^(invalidPath|mutability|invalidValue|noTarget|invalidFilter)$/)
      // Planned in the Worker from one read: the invalid operation is found before any write.
      expect(roundTrips(res.headers)).toBe(1)
    }
    expect(await snapshot(tenant)).toEqual(before)
  })

  it('applies nothing of a failing Bulk operation, and writes no event for it', async ({ expect }) => {
    const { tenant, user, group } = await world()
    const events = await eventCount(tenant)
    const before = await scim(tenant, `/Users/${user.id}`)
    const res = await scim(tenant, '/Bulk', {
      body: {
        schemas: [BULK_REQUEST],
        Operations: [
          {
            method: 'POST',
            bulkId: 'ok',
            path: '/Users',
            data: oktaUser(`bulk-${crypto.randomUUID()}@example.com`),
          },
          // Same userName as an existing user: 409, in the same optimistic batch as its neighbours.
          { method: 'POST', bulkId: 'dup', path: '/Users', data: oktaUser(user.userName) },
          {
            method: 'PATCH',
            path: `/Users/${user.id}`,
            data: {
              schemas: [PATCH_OP],
              Operations: [
                { op: 'replace', path: 'displayName', value: 'Half' },
                { op: 'replace', path: 'meta', value: {} },
              ],
            },
          },
          {
            method: 'PUT',
            path: `/Groups/${group.id}`,
            data: { schemas: [GROUP], displayName: group.displayName, members: [{ value: 'bulkId:dup' }] },
          },
          { method: 'DELETE', path: `/Users/${crypto.randomUUID()}` },
        ],
      },
    })
    expect(res.status, res.text).toBe(200)
    const statuses = res.json.Operations.map((o: { status: string }) => o.status)
    expect(statuses).toEqual(['201', '409', '400', '409', '404'])
    // Only the one successful operation wrote, and wrote exactly one event.
    expect(await eventCount(tenant)).toBe(events + 1)
    const after = await scim(tenant, `/Users/${user.id}`)
    expect(after.json).toEqual(before.json)
    const members = (await scim(tenant, `/Groups/${group.id}`)).json.members
    expect(members.map((m: { value: string }) => m.value)).toEqual([user.id])
    const dup = await scim(tenant, `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`)
    expect(dup.json.totalResults).toBe(1)
    expect(errors).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------

describe('a KV outage', () => {
  for (const how of ['throws', 'rejects'] as const) {
    it(`answers 503 with Retry-After on every endpoint when KV's get ${how}, and lets nothing through`, async ({
      expect,
    }) => {
      const { tenant, user, group } = await world()
      const other = await createTenant()
      const kv = { TENANTS: failingKv(env.TENANTS, how) }
      const requests: [string, Call][] = [
        ['/Users', {}],
        [`/Users/${user.id}`, {}],
        [`/Groups/${group.id}`, {}],
        ['/Users', { body: oktaUser('kv-outage@example.com') }],
        [`/Users/${user.id}`, { method: 'DELETE' }],
        [
          `/Users/${user.id}`,
          { method: 'PATCH', body: patchOp({ op: 'replace', path: 'active', value: false }) },
        ],
        ['/Bulk', { body: { schemas: [BULK_REQUEST], Operations: [] } }],
        ['/.search', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] } }],
        ['/ServiceProviderConfig', {}],
        ['/Schemas', {}],
      ]
      const before = await snapshot(tenant)
      for (const [path, call] of requests) {
        // The tenant's token, another tenant's, and a well-formed unknown one: none gets through.
        for (const token of [tenant.token, other.token, `scimsk_${'A'.repeat(43)}`]) {
          const res = await callWith(kv, tenant, path, { ...call, token })
          expect(res.status, `${path} ${res.text}`).toBe(503)
          expect(res.headers.get('retry-after')).toBe('5')
          expect(res.headers.get('content-type')).toBe('application/scim+json')
          expect(res.json).toEqual({ schemas: [ERROR], status: '503', detail: expect.any(String) })
          // Not authenticated: no timing, and no D1 work.
          expect(res.headers.get('server-timing')).toBeNull()
          expect(res.text).not.toContain(user.id)
        }
      }
      expect(await snapshot(tenant)).toEqual(before)
      expect(errors).toEqual([])
    })
  }

  it('still answers 401 without reading KV when the request has no valid token', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await callWith({ TENANTS: failingKv(env.TENANTS, 'throws') }, tenant, '/Users', {
      token: 'not-a-token',
    })
    expect(res.status).toBe(401)
  })
})

// ---------------------------------------------------------------------------------------------

describe('transient D1 errors', () => {
  const fail = (message: string, times: number, when: 'before' | 'after' = 'before'): Fault => {
    let left = times
    return () => {
      if (left <= 0) return undefined
      left--
      const error = new Error(message)
      return when === 'before' ? { throwBefore: error } : { throwAfter: error }
    }
  }

  const reads = (user: { id: string }) => [
    `/Users/${user.id}`,
    '/Users?filter=userName%20sw%20%22a%22',
    '/Groups',
  ]

  it.for(TRANSIENT)(
    'retries an idempotent read once after "%s" and answers it',
    async (message, { expect }) => {
      const { tenant, user } = await world()
      for (const path of reads(user)) {
        const d1 = faultyD1(env.DB, fail(message, 1))
        const res = await callWith({ DB: d1.binding }, tenant, path)
        expect(res.status, res.text).toBe(200)
        expect(d1.calls).toHaveLength(2)
        expect(d1.calls[0]?.sql).toEqual(d1.calls[1]?.sql)
      }
      expect(errors).toEqual([])
    },
  )

  it.for(TRANSIENT)(
    'answers a read that fails twice with "%s" with 503 and Retry-After',
    async (message, { expect }) => {
      const { tenant, user } = await world()
      for (const path of reads(user)) {
        const d1 = faultyD1(env.DB, fail(message, Number.POSITIVE_INFINITY))
        warnings = []
        const res = await callWith({ DB: d1.binding }, tenant, path)
        expect(res.status, res.text).toBe(503)
        expect(res.headers.get('retry-after')).toBe('5')
        expect(res.json).toEqual({ schemas: [ERROR], status: '503', detail: expect.any(String) })
        expect(res.text).not.toContain('D1_ERROR')
        expect(d1.calls).toHaveLength(2)
        expect(warnings).toHaveLength(1)
      }
      expect(errors).toEqual([])
    },
  )

  it('does not retry an error that is not transient: it stays a logged 500', async ({ expect }) => {
    const { tenant, user } = await world()
    const d1 = faultyD1(env.DB, fail('D1_ERROR: no such table: users: SQLITE_ERROR', 1))
    const res = await callWith({ DB: d1.binding }, tenant, `/Users/${user.id}`)
    expect(res.status).toBe(500)
    expect(d1.calls).toHaveLength(1)
    expect(errors).toHaveLength(1)
  })

  it.for(TRANSIENT)(
    'never retries a write that failed with "%s": 503, and nothing applied',
    async (message, { expect }) => {
      const { tenant, writes } = await world()
      for (const [what, path, call] of writes) {
        const before = await snapshot(tenant)
        const d1 = faultyD1(env.DB, ({ kind, sql }) =>
          kind === 'batch' && isWrite(sql) ? { throwBefore: new Error(message) } : undefined,
        )
        const res = await callWith({ DB: d1.binding }, tenant, path, call)
        expect(res.status, `${what}: ${res.text}`).toBe(503)
        expect(res.headers.get('retry-after'), what).toBe('5')
        expect(
          d1.calls.filter((c) => isWrite(c.sql)),
          what,
        ).toHaveLength(1)
        expect(await snapshot(tenant), what).toEqual(before)
      }
      expect(errors).toEqual([])
    },
  )

  it('applies a write whose answer was lost exactly once, and a client retry does not apply it again', async ({
    expect,
  }) => {
    const { tenant, user, other, group, writes } = await world()
    const lost = (): Fault => {
      let done = false
      return ({ kind, sql }) => {
        if (done || kind !== 'batch' || !isWrite(sql)) return undefined
        done = true
        return { throwAfter: new Error('D1_ERROR: Network connection lost.') }
      }
    }
    for (const [what, path, call] of writes) {
      const events = await eventCount(tenant)
      const d1 = faultyD1(env.DB, lost())
      const res = await callWith({ DB: d1.binding }, tenant, path, call)
      expect(res.status, `${what}: ${res.text}`).toBe(503)
      // The batch committed once and was not sent again.
      expect(
        d1.calls.filter((c) => isWrite(c.sql)),
        what,
      ).toHaveLength(1)
      const committed = await eventCount(tenant)
      expect(committed, what).toBeGreaterThan(events)
      // The identity provider retries the same request on the healthy database.
      const retry = await scim(tenant, path, { method: call.method ?? 'POST', body: call.body })
      expect(retry.status, `${what} retried: ${retry.text}`).toBeOneOf(
        call.method === 'DELETE' ? [404] : call.method === undefined ? [409] : [200, 204],
      )
      expect(await eventCount(tenant), `${what}: a retry changed nothing more`).toBe(committed)
    }
    // One user with each userName, one group with each displayName.
    const users = (await scim(tenant, '/Users?count=100')).json.Resources as { userName: string }[]
    expect(new Set(users.map((u) => u.userName)).size).toBe(users.length)
    expect(users.map((u) => u.userName)).toContain(other.userName)
    expect(users.map((u) => u.userName)).not.toContain(user.userName)
    expect((await scim(tenant, `/Groups/${group.id}`)).status).toBe(404)
  })

  it('answers 503 for the Bulk operations of a batch that failed with a transient error, and re-runs none of them', async ({
    expect,
  }) => {
    const { tenant, user } = await world()
    const before = await snapshot(tenant)
    const d1 = faultyD1(env.DB, ({ kind, sql }) =>
      kind === 'batch' && isWrite(sql) ? { throwBefore: new Error(TRANSIENT[0]) } : undefined,
    )
    const res = await callWith({ DB: d1.binding }, tenant, '/Bulk', {
      body: {
        schemas: [BULK_REQUEST],
        Operations: [
          {
            method: 'POST',
            bulkId: 'a',
            path: '/Users',
            data: oktaUser(`b1-${crypto.randomUUID()}@example.com`),
          },
          {
            method: 'POST',
            bulkId: 'b',
            path: '/Users',
            data: oktaUser(`b2-${crypto.randomUUID()}@example.com`),
          },
          {
            method: 'PATCH',
            path: `/Users/${user.id}`,
            data: patchOp({ op: 'replace', path: 'displayName', value: 'Bulk' }),
          },
          {
            method: 'POST',
            bulkId: 'g',
            path: '/Groups',
            data: { schemas: [GROUP], displayName: 'G', members: [{ value: 'bulkId:a' }] },
          },
        ],
      },
    })
    expect(res.status, res.text).toBe(200)
    const statuses = res.json.Operations.map((o: { status: string }) => o.status)
    // The first three shared one batch; the group depends on a user whose creation is unknown.
    expect(statuses).toEqual(['503', '503', '503', '409'])
    expect(d1.calls.filter((c) => isWrite(c.sql))).toHaveLength(1)
    expect(await snapshot(tenant)).toEqual(before)
    expect(errors).toEqual([])
  })
})

it('answers 503 for the Bulk operations whose read failed with a transient error, and runs the others', async ({
  expect,
}) => {
  const { tenant, user } = await world()
  const d1 = faultyD1(env.DB, ({ kind, sql }) =>
    kind === 'batch' && !isWrite(sql) ? { throwBefore: new Error(TRANSIENT[1]) } : undefined,
  )
  const userName = `read-${crypto.randomUUID()}@example.com`
  const res = await callWith({ DB: d1.binding }, tenant, '/Bulk', {
    body: {
      schemas: [BULK_REQUEST],
      Operations: [
        {
          method: 'PATCH',
          path: `/Users/${user.id}`,
          data: patchOp({ op: 'replace', path: 'nickName', value: 'x' }),
        },
        { method: 'POST', bulkId: 'a', path: '/Users', data: oktaUser(userName) },
      ],
    },
  })
  expect(res.status, res.text).toBe(200)
  expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['503', '201'])
  expect(res.json.Operations[0].response).toMatchObject({ schemas: [ERROR], status: '503' })
  expect((await scim(tenant, `/Users/${user.id}`)).json.nickName).toBeUndefined()
  expect(errors).toEqual([])
})

it('the fault wrappers reach the real bindings when they inject nothing', async ({ expect }) => {
  const tenant = await createTenant()
  const d1 = faultyD1(env.DB, () => undefined)
  const res = await callWith({ DB: d1.binding }, tenant, '/Users', { body: oktaUser('plain@example.com') })
  expect(res.status).toBe(201)
  expect((await scim(tenant, `/Users/${res.json.id}`)).json.userName).toBe('plain@example.com')
  expect(d1.calls.length).toBeGreaterThan(0)
})
