/**
 * Tenant isolation, exhaustively (issue 7, point 1): three tenants with data, then every host ×
 * every token × every endpoint and method, and every way to name another tenant's resource. Only
 * the tenant's own host with the tenant's own live token is served; every other combination gets
 * one and the same answer whether the other tenant exists or not, reaches no database, changes no
 * row, and no answer, header or error detail carries another tenant's data.
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, beforeEach, describe, it, vi } from 'vitest'
import { BULK_REQUEST, SEARCH_REQUEST } from '../../src/schema/urns'
import { generateToken, generateTokenId, hashToken } from '../../src/tenancy/token'
import {
  createGroup,
  createUser,
  ENTERPRISE,
  ERROR,
  GROUP,
  LIST,
  oktaUser,
  patchOp,
  USER,
} from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant, type TestTenant, updateTenant } from '../support/tenant'
import { tenantRows } from '../support/tenant-rows'

interface Data {
  tenant: TestTenant
  users: { id: string; userName: string }[]
  group: { id: string; displayName: string }
  /** Every string that identifies this tenant or its data: none may appear in another tenant's answers. */
  secrets: string[]
}

/** The same userName, group name and externalId in every tenant: uniqueness is per tenant. */
const SHARED_USER = 'shared.person@example.com'
const SHARED_GROUP = 'Shared Group Name'

async function populate(tenant: TestTenant): Promise<Data> {
  const own = `${tenant.name}-only@example.com`
  const users = [
    await createUser(tenant, SHARED_USER),
    await createUser(tenant, own),
    await createUser(tenant, `${tenant.name}-2@example.com`),
  ]
  const group = await createGroup(tenant, SHARED_GROUP, [users[0].id, users[1].id])
  return {
    tenant,
    users,
    group,
    secrets: [tenant.name, tenant.token, tenant.tokenId, own, group.id, ...users.map((u) => u.id)],
  }
}

let a: Data
let b: Data
let c: Data
let suspended: TestTenant
/** Tokens of tenant a that no longer work. */
let revoked: string
let expired: string

beforeAll(async () => {
  // The third tenant lives on the second database when this deployment has one.
  const [ta, tb, tc] = await Promise.all([
    createTenant(),
    createTenant(),
    createTenant({ db: 'DB_2' in env ? 'DB_2' : 'DB' }),
  ])
  ;[a, b, c] = await Promise.all([populate(ta), populate(tb), populate(tc)])
  suspended = await createTenant({ status: 'suspended' })
  revoked = generateToken()
  expired = generateToken()
  const now = new Date().toISOString()
  const [expiredHash, revokedHash] = await Promise.all([hashToken(expired), hashToken(revoked)])
  // `expired` is listed with an expiry in the past; `revoked` was listed and worked, then was removed.
  await updateTenant(a.tenant.name, (record) => ({
    ...record,
    tokens: [
      ...record.tokens,
      { id: generateTokenId(), hash: expiredHash, createdAt: now, expiresAt: '2000-01-01T00:00:00.000Z' },
      { id: generateTokenId(), hash: revokedHash, createdAt: now },
    ],
  }))
  const res = await scim(a.tenant, '/Users', { token: revoked })
  if (res.status !== 200) throw new Error(`setup: the token to revoke does not work yet: ${res.status}`)
  await updateTenant(a.tenant.name, (record) => ({ ...record, tokens: record.tokens.slice(0, 2) }))
})

// The request log is not under test here; an unexpected error would be.
let errors: unknown[][] = []
beforeEach(() => {
  errors = []
  vi.spyOn(console, 'log').mockImplementation(() => {})
  vi.spyOn(console, 'error').mockImplementation((...args) => {
    errors.push(args)
  })
})
afterEach(({ expect }) => {
  vi.restoreAllMocks()
  expect(errors).toEqual([])
})

// ---------------------------------------------------------------------------------------------
// The matrix

type Target = 'a' | 'b' | 'suspended' | 'ghost' | 'none'

/** Hosts, and the tenant each one names (`none`: no tenant, answered 404 before authentication). */
const HOSTS: [string, Target, () => string][] = [
  ['its own host', 'a', () => `${a.tenant.name}.scim.example.com`],
  ['its own host in upper case', 'a', () => `${a.tenant.name.toUpperCase()}.SCIM.EXAMPLE.COM`],
  ['its own localhost name in mixed case', 'a', () => `${a.tenant.name.toUpperCase()}.LocalHost`],
  ['its own host with a port', 'a', () => `${a.tenant.name}.scim.example.com:8443`],
  ['its own host with a trailing dot', 'a', () => `${a.tenant.name}.scim.example.com.`],
  ["another tenant's host", 'b', () => `${b.tenant.name}.scim.example.com`],
  ["a suspended tenant's host", 'suspended', () => `${suspended.host}`],
  ['the host of a tenant that does not exist', 'ghost', () => 'ghost-tenant-0.scim.example.com'],
  ['the bare base domain', 'none', () => 'scim.example.com'],
  ['a deeper subdomain of its own host', 'none', () => `x.${a.tenant.name}.scim.example.com`],
  ['its own host with two trailing dots', 'none', () => `${a.tenant.name}.scim.example.com..`],
  ['its own host under another domain', 'none', () => `${a.tenant.name}.scim.example.com.evil.example`],
  ['an IPv4 address', 'none', () => '192.0.2.10'],
  ['an IPv6 address', 'none', () => '[2001:db8::1]'],
]

/** Authorization headers (null: none), and the tenant whose live token each one carries. */
const TOKENS: [string, Target, () => string | null][] = [
  ['its own token', 'a', () => `Bearer ${a.tenant.token}`],
  ['its own token with the scheme in lower case', 'a', () => `bearer ${a.tenant.token}`],
  ["another tenant's token", 'b', () => `Bearer ${b.tenant.token}`],
  ["a third tenant's token", 'none', () => `Bearer ${c.tenant.token}`],
  ["a suspended tenant's token", 'suspended', () => `Bearer ${suspended.token}`],
  ['a revoked token', 'none', () => `Bearer ${revoked}`],
  ['an expired token', 'none', () => `Bearer ${expired}`],
  ['no Authorization header', 'none', () => null],
  ['an empty token', 'none', () => 'Bearer '],
  ['Bearer without a token', 'none', () => 'Bearer'],
  ['the Basic scheme', 'none', () => `Basic ${btoa(`${a.tenant.name}:${a.tenant.token}`)}`],
  ['its own token without a scheme', 'none', () => a.tenant.token],
  ['its own token after two spaces', 'none', () => `Bearer  ${a.tenant.token}`],
  ['its own token after a tab', 'none', () => `Bearer\t${a.tenant.token}`],
  ['its own token followed by a second token', 'none', () => `Bearer ${a.tenant.token} ${b.tenant.token}`],
  [
    'its own token and a second Bearer credential',
    'none',
    () => `Bearer ${a.tenant.token}, Bearer ${b.tenant.token}`,
  ],
  ['its own token with a character appended', 'none', () => `Bearer ${a.tenant.token}A`],
  ['its own token in upper case', 'none', () => `Bearer ${a.tenant.token.toUpperCase()}`],
]

interface Endpoint {
  method: string
  path: string
  body?: unknown
}

/** Every endpoint and method, aimed at tenant a's real resources. */
const endpoints = (): Endpoint[] => {
  const [user] = a.users
  const userPath = `/Users/${user?.id}`
  const groupPath = `/Groups/${a.group.id}`
  return [
    { method: 'GET', path: '/Users' },
    { method: 'GET', path: `/Users?filter=${encodeURIComponent(`userName eq "${SHARED_USER}"`)}` },
    { method: 'POST', path: '/Users', body: oktaUser('intruder@example.com') },
    { method: 'GET', path: userPath },
    { method: 'PUT', path: userPath, body: oktaUser(SHARED_USER, { displayName: 'Intruder' }) },
    { method: 'PATCH', path: userPath, body: patchOp({ op: 'replace', path: 'active', value: false }) },
    { method: 'DELETE', path: userPath },
    { method: 'GET', path: '/Groups' },
    { method: 'POST', path: '/Groups', body: { schemas: [GROUP], displayName: 'Intruders' } },
    { method: 'GET', path: groupPath },
    { method: 'PUT', path: groupPath, body: { schemas: [GROUP], displayName: SHARED_GROUP, members: [] } },
    { method: 'PATCH', path: groupPath, body: patchOp({ op: 'remove', path: 'members' }) },
    { method: 'DELETE', path: groupPath },
    { method: 'POST', path: '/Users/.search', body: { schemas: [SEARCH_REQUEST] } },
    { method: 'POST', path: '/Groups/.search', body: { schemas: [SEARCH_REQUEST] } },
    { method: 'POST', path: '/.search', body: { schemas: [SEARCH_REQUEST] } },
    {
      method: 'POST',
      path: '/Bulk',
      body: { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: userPath }] },
    },
    { method: 'GET', path: '/ServiceProviderConfig' },
    { method: 'GET', path: '/Schemas' },
    { method: 'GET', path: `/Schemas/${USER}` },
    { method: 'GET', path: '/ResourceTypes' },
    { method: 'GET', path: '/ResourceTypes/User' },
    { method: 'GET', path: '/Me' },
    { method: 'GET', path: '/NoSuchEndpoint' },
    { method: 'DELETE', path: '/Users' },
    { method: 'HEAD', path: '/Users' },
  ]
}

type Answer = Awaited<ReturnType<typeof scim>>

/** Headers that differ on every request by design. */
const VOLATILE = new Set(['x-request-id', 'server-timing', 'date', 'cf-ray'])

/** An answer without what differs between requests: what a client could compare. */
const comparable = (res: Answer) => ({
  status: res.status,
  body: res.text,
  headers: [...res.headers].filter(([name]) => !VOLATILE.has(name)),
})

/**
 * Fails if any of `secrets` appears in the answer's body or any header — except those the request
 * itself carried (a 404 naming the id the client sent reveals nothing).
 */
function expectNoneOf(
  expect: import('vitest').ExpectStatic,
  res: Answer,
  secrets: readonly string[],
  what: string,
  sent: Endpoint | undefined = undefined,
) {
  const request = sent ? `${sent.path} ${JSON.stringify(sent.body ?? '')}`.toLowerCase() : ''
  const haystack = [res.text, ...[...res.headers].map(([name, value]) => `${name}: ${value}`)]
    .join('\n')
    .toLowerCase()
  for (const secret of secrets) {
    if (request.includes(secret.toLowerCase())) continue
    expect(haystack.includes(secret.toLowerCase()), `${what} reveals ${secret}`).toBe(false)
  }
}

/** Sends a request with `authorization` exactly as given (null: none). */
const send = (host: string, authorization: string | null, endpoint: Endpoint) =>
  scim(a.tenant, endpoint.path, {
    method: endpoint.method,
    host,
    body: endpoint.body,
    token: null,
    headers: authorization === null ? {} : { authorization },
  })

const UNAUTHORIZED = {
  schemas: [ERROR],
  status: '401',
  detail: 'Authentication failed: a valid bearer token for this tenant is required',
}
const NO_TENANT = { schemas: [ERROR], status: '404', detail: 'No SCIM tenant is served at this host' }
const SUSPENDED = { schemas: [ERROR], status: '401', detail: 'This tenant is suspended' }

/** What a host and a token get together: served by a tenant, or which refusal. */
function outcome(
  host: Target,
  token: Target,
): 'a' | 'b' | typeof NO_TENANT | typeof UNAUTHORIZED | typeof SUSPENDED {
  if (host === 'none') return NO_TENANT
  if (host !== token || host === 'ghost') return UNAUTHORIZED
  if (host === 'suspended') return SUSPENDED
  return host
}

/**
 * Checks one refused answer: the status and body, a Bearer challenge on 401, no D1 round trip, and
 * nothing of any tenant in it.
 */
function expectRefused(
  expect: import('vitest').ExpectStatic,
  res: Answer,
  body: typeof NO_TENANT | typeof UNAUTHORIZED | typeof SUSPENDED,
  label: string,
  endpoint: Endpoint,
) {
  expect(res.status, `${label}: ${res.text}`).toBe(Number(body.status))
  if (endpoint.method !== 'HEAD') expect(res.json, label).toEqual(body)
  if (body.status === '401') expect(res.headers.get('www-authenticate'), label).toMatch(/^Bearer/)
  // Refused before authentication: no Server-Timing, which would tell how far the request got.
  expect(res.headers.get('server-timing'), label).toBeNull()
  expectNoneOf(expect, res, [...a.secrets, ...b.secrets, ...c.secrets], label)
}

const tenantsRows = () => Promise.all([a, b, c].map(rowsOf))

/**
 * Every host with every token, on a request that would delete a user if it got through; then every
 * endpoint and method with each kind of refusal: no token, another tenant's token, a revoked one (the
 * three code paths of authentication) on the tenant's own host, and another tenant's host, a host of
 * no tenant and a host outside the base domain with the tenant's own token. Host and token are
 * decided by the tenancy middleware before any route is matched; the endpoint tests prove that no
 * route escapes it, and that the refusal is the same everywhere.
 */
describe('tenant isolation: hosts × tokens × endpoints', { timeout: 60_000 }, () => {
  it('serves each host with each token only when both are the same active tenant', async ({ expect }) => {
    const before = await tenantsRows()
    const victim = async (): Promise<Endpoint> => ({
      method: 'DELETE',
      path: `/Users/${(await createUser(a.tenant, `victim-${crypto.randomUUID()}@example.com`)).id}`,
    })
    let probe = await victim()
    for (const [hostWhat, hostTarget, host] of HOSTS) {
      for (const [tokenWhat, tokenTarget, authorization] of TOKENS) {
        const expected = outcome(hostTarget, tokenTarget)
        const label = `${hostWhat} with ${tokenWhat}`
        const res = await send(host(), authorization(), probe)
        if (expected === 'a') {
          expect(res.status, `${label}: ${res.text}`).toBe(204)
          probe = await victim()
        } else if (expected === 'b') {
          // b's own combination is served for b, where a's user does not exist.
          expect(res.status, `${label}: ${res.text}`).toBe(404)
          expect(res.json.detail).toContain('not found')
          expectNoneOf(expect, res, [...a.secrets, ...c.secrets], label, probe)
        } else {
          expectRefused(expect, res, expected, label, probe)
        }
      }
    }
    const after = await tenantsRows()
    // Besides a's served deletes of its victims, no tenant changed.
    expect([after[1], after[2]]).toEqual([before[1], before[2]])
    expect((await scim(a.tenant, probe.path)).status).toBe(200)
  })

  const REFUSALS: [string, () => string, () => string | null][] = [
    ['no token', () => `${a.tenant.name}.scim.example.com`, () => null],
    ["another tenant's token", () => `${a.tenant.name}.scim.example.com`, () => `Bearer ${b.tenant.token}`],
    ['a revoked token', () => `${a.tenant.name}.scim.example.com`, () => `Bearer ${revoked}`],
    ["another tenant's host", () => `${b.tenant.name}.scim.example.com`, () => `Bearer ${a.tenant.token}`],
    ['the host of no tenant', () => 'ghost-tenant-2.scim.example.com', () => `Bearer ${a.tenant.token}`],
    ['a host outside the base domain', () => '192.0.2.10', () => `Bearer ${a.tenant.token}`],
  ]

  it.for(REFUSALS)(
    'refuses %s at every endpoint and method, identically, and changes nothing',
    async ([what, host, authorization], { expect }) => {
      const before = await tenantsRows()
      const body = what.includes('host outside') ? NO_TENANT : UNAUTHORIZED
      let reference: ReturnType<typeof comparable> | undefined
      for (const endpoint of endpoints()) {
        const label = `${what}: ${endpoint.method} ${endpoint.path}`
        const res = await send(host(), authorization(), endpoint)
        expectRefused(expect, res, body, label, endpoint)
        if (endpoint.method === 'HEAD') continue
        if (reference) expect(comparable(res), label).toEqual(reference)
        else reference = comparable(res)
      }
      expect(await tenantsRows()).toEqual(before)
    },
  )

  it.for(HOSTS.filter(([, target]) => target === 'a'))(
    '%s with its own token serves every endpoint with its own data only',
    async ([what, , host], { expect }) => {
      const others = [...b.secrets, ...c.secrets]
      const served: Answer[] = []
      const own = async (endpoint: Endpoint, status: number | number[]) => {
        const res = await send(host(), `Bearer ${a.tenant.token}`, endpoint)
        const label = `${what}: ${endpoint.method} ${endpoint.path}: ${res.text}`
        if (Array.isArray(status)) expect(res.status, label).toBeOneOf(status)
        else expect(res.status, label).toBe(status)
        served.push(res)
        return res
      }
      const list = await own({ method: 'GET', path: '/Users?count=1000' }, 200)
      expect(list.json.schemas).toEqual([LIST])
      const listed = new Set(list.json.Resources.map((r: { id: string }) => r.id))
      for (const user of a.users) expect(listed.has(user.id), what).toBe(true)
      const shared = await own(endpoints()[1] as Endpoint, 200)
      expect(shared.json.Resources.map((r: { userName: string }) => r.userName)).toEqual([SHARED_USER])
      // A full write cycle on a user and a group of its own.
      const created = await own(
        { method: 'POST', path: '/Users', body: oktaUser(`cycle-${crypto.randomUUID()}@example.com`) },
        201,
      )
      expect(created.headers.get('location')).toMatch(new RegExp(`^https://${a.tenant.name}\\.`, 'i'))
      const path = `/Users/${created.json.id}`
      await own({ method: 'GET', path }, 200)
      await own({ method: 'PUT', path, body: oktaUser(created.json.userName, { displayName: 'Put' }) }, 200)
      await own(
        { method: 'PATCH', path, body: patchOp({ op: 'replace', path: 'nickName', value: 'P' }) },
        200,
      )
      const group = await own(
        {
          method: 'POST',
          path: '/Groups',
          body: { schemas: [GROUP], displayName: `Cycle ${crypto.randomUUID()}` },
        },
        201,
      )
      const groupPath = `/Groups/${group.json.id}`
      const member = patchOp({ op: 'add', path: 'members', value: [{ value: created.json.id }] })
      await own({ method: 'PATCH', path: groupPath, body: member }, 204)
      await own({ method: 'DELETE', path }, 204)
      await own({ method: 'DELETE', path: groupPath }, 204)
      // Every read endpoint once, on the plain host (the variants name the same tenant).
      const reads = endpoints().filter((e) => e.method === 'GET' || e.path.includes('.search'))
      for (const endpoint of what === 'its own host' ? reads : []) {
        await own(endpoint, endpoint.path === '/Me' ? 501 : endpoint.path === '/NoSuchEndpoint' ? 404 : 200)
      }
      for (const res of served) expectNoneOf(expect, res, others, what)
    },
  )

  it("answers another tenant's host exactly as the host of a tenant that does not exist", async ({
    expect,
  }) => {
    for (const endpoint of endpoints()) {
      for (const token of [a.tenant.token]) {
        const existing = await send(`${b.tenant.name}.scim.example.com`, `Bearer ${token}`, endpoint)
        const absent = await send('ghost-tenant-1.scim.example.com', `Bearer ${token}`, endpoint)
        expect(comparable(existing), `${endpoint.method} ${endpoint.path}`).toEqual(comparable(absent))
      }
    }
  })
})

/** A tenant's rows, on the database it lives on. */
const rowsOf = (data: Data) => tenantRows(data.tenant.name, data === c && 'DB_2' in env ? env.DB_2 : env.DB)

// ---------------------------------------------------------------------------------------------
// Another tenant's resources, named every way a client can name a resource

describe("another tenant's resources, on the tenant's own host with its own token", {
  timeout: 60_000,
}, () => {
  const notFoundShape = (res: Answer, id: string) => ({
    ...comparable(res),
    body: res.text.replaceAll(id, '<id>'),
  })

  it("answers another tenant's id in a path exactly as an id that exists nowhere", async ({ expect }) => {
    const before = await Promise.all([b, c].map(rowsOf))
    for (const other of [b, c]) {
      const targets = [['Users', other.users[1]?.id ?? ''] as const, ['Groups', other.group.id] as const]
      for (const [type, id] of targets) {
        const nowhere = crypto.randomUUID()
        const requests: Endpoint[] = [
          { method: 'GET', path: `/${type}/${id}` },
          {
            method: 'PUT',
            path: `/${type}/${id}`,
            body: type === 'Users' ? oktaUser(SHARED_USER) : { schemas: [GROUP], displayName: 'x' },
          },
          {
            method: 'PATCH',
            path: `/${type}/${id}`,
            body: patchOp({ op: 'replace', path: 'displayName', value: 'x' }),
          },
          { method: 'DELETE', path: `/${type}/${id}` },
        ]
        for (const endpoint of requests) {
          const res = await scim(a.tenant, endpoint.path, endpoint)
          const absent = await scim(a.tenant, endpoint.path.replace(id, nowhere), endpoint)
          expect(res.status, `${endpoint.method} ${endpoint.path}`).toBe(404)
          expect(notFoundShape(res, id)).toEqual(notFoundShape(absent, nowhere))
          expectNoneOf(
            expect,
            res,
            other.secrets.filter((s) => s !== id),
            endpoint.path,
          )
        }
      }
    }
    expect(await Promise.all([b, c].map(rowsOf))).toEqual(before)
  })

  it('finds nothing of another tenant through a filter, a search or the shared userName', async ({
    expect,
  }) => {
    const [bUser] = b.users
    const filters = [
      ['/Users', `id eq "${bUser?.id}"`],
      ['/Users', `userName eq "${b.tenant.name}-only@example.com"`],
      ['/Users', `userName sw "${b.tenant.name}"`],
      ['/Users', `emails.value co "${b.tenant.name}"`],
      ['/Users', `groups.value eq "${b.group.id}"`],
      ['/Groups', `id eq "${b.group.id}"`],
      ['/Groups', `members.value eq "${bUser?.id}"`],
      ['/Groups', `members[value eq "${bUser?.id}"]`],
    ] as const
    for (const [path, filter] of filters) {
      for (const res of [
        await scim(a.tenant, `${path}?filter=${encodeURIComponent(filter)}`),
        await scim(a.tenant, `${path}/.search`, { body: { schemas: [SEARCH_REQUEST], filter } }),
        await scim(a.tenant, '/.search', { body: { schemas: [SEARCH_REQUEST], filter } }),
      ]) {
        expect(res.status, `${filter}: ${res.text}`).toBeOneOf([200, 400])
        if (res.status === 200) expect(res.json.totalResults, filter).toBe(0)
        expectNoneOf(expect, res, [...b.secrets.filter((s) => !filter.includes(s))], filter)
      }
    }
    // The userName both tenants use finds this tenant's user only.
    const shared = await scim(a.tenant, `/Users?filter=${encodeURIComponent(`userName eq "${SHARED_USER}"`)}`)
    expect(shared.json.Resources.map((r: { id: string }) => r.id)).toEqual([a.users[0]?.id])
  })

  it('creates a userName and a group name another tenant uses without a conflict', async ({ expect }) => {
    const userName = `${b.tenant.name}-only@example.com`
    const user = await scim(a.tenant, '/Users', { body: oktaUser(userName) })
    expect(user.status, user.text).toBe(201)
    const group = await scim(a.tenant, '/Groups', {
      body: { schemas: [GROUP], displayName: `${b.tenant.name} group` },
    })
    expect(group.status).toBe(201)
    await scim(a.tenant, `/Users/${user.json.id}`, { method: 'DELETE' })
    await scim(a.tenant, `/Groups/${group.json.id}`, { method: 'DELETE' })
  })

  it("skips another tenant's id as a group member like any unknown id, in every write", async ({
    expect,
  }) => {
    const bUser = b.users[0]?.id as string
    const before = await Promise.all([b, c].map(rowsOf))
    const members = [{ value: bUser }, { value: b.group.id }, { value: c.users[0]?.id }]
    const created = await scim(a.tenant, '/Groups', {
      body: { schemas: [GROUP], displayName: `Mixed ${crypto.randomUUID()}`, members },
    })
    expect(created.status, created.text).toBe(201)
    expect(created.json.members ?? []).toEqual([])
    const id = created.json.id as string
    const put = await scim(a.tenant, `/Groups/${id}`, {
      method: 'PUT',
      body: {
        schemas: [GROUP],
        displayName: created.json.displayName,
        members: [...members, { value: a.users[2]?.id }],
      },
    })
    expect(put.status, put.text).toBe(200)
    expect(put.json.members.map((m: { value: string }) => m.value)).toEqual([a.users[2]?.id])
    for (const body of [
      patchOp({ op: 'add', path: 'members', value: members }),
      patchOp({ op: 'add', value: { members } }),
      patchOp({ op: 'replace', path: 'members', value: [...members, { value: a.users[2]?.id }] }),
      patchOp({ op: 'remove', path: `members[value eq "${bUser}"]` }),
      patchOp({ op: 'remove', path: 'members', value: [{ value: bUser }] }),
    ]) {
      const res = await scim(a.tenant, `/Groups/${id}`, { method: 'PATCH', body })
      expect(res.status, res.text).toBe(204)
    }
    const got = await scim(a.tenant, `/Groups/${id}`)
    expect(got.json.members.map((m: { value: string }) => m.value)).toEqual([a.users[2]?.id])
    expectNoneOf(expect, got, b.secrets, 'group')
    // And the other way round: b's user is in no group of a, a's user in no group of b.
    expect(
      (await scim(b.tenant, `/Users/${bUser}`)).json.groups.map((g: { value: string }) => g.value),
    ).toEqual([b.group.id])
    expect(await Promise.all([b, c].map(rowsOf))).toEqual(before)
  })

  it("stores another tenant's id as an opaque manager value and never resolves it", async ({ expect }) => {
    const bUser = b.users[0] as { id: string; userName: string }
    const res = await scim(a.tenant, '/Users', {
      body: oktaUser(`managed-${crypto.randomUUID()}@example.com`, {
        schemas: [USER, ENTERPRISE],
        [ENTERPRISE]: { manager: { value: bUser.id, displayName: 'Injected Name' } },
      }),
    })
    expect(res.status, res.text).toBe(201)
    const got = await scim(a.tenant, `/Users/${res.json.id}`)
    const manager = got.json[ENTERPRISE].manager
    expect(manager.value).toBe(bUser.id)
    expect(manager.displayName).toBeUndefined()
    expect(manager.$ref).toBe(`${a.tenant.baseUrl}/Users/${bUser.id}`)
    expectNoneOf(
      expect,
      got,
      b.secrets.filter((s) => s !== bUser.id),
      'manager',
    )
    expect(got.text).not.toContain(bUser.userName)
  })

  it("fails Bulk operations on another tenant's ids and never lets a bulkId reach outside the request", async ({
    expect,
  }) => {
    const before = await Promise.all([b, c].map(rowsOf))
    const bUser = b.users[1]?.id as string
    const res = await scim(a.tenant, '/Bulk', {
      body: {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'DELETE', path: `/Users/${bUser}` },
          {
            method: 'PATCH',
            path: `/Groups/${b.group.id}`,
            data: patchOp({ op: 'remove', path: 'members' }),
          },
          { method: 'PUT', path: `/Users/${bUser}`, data: oktaUser(SHARED_USER) },
          // bulkIds are scoped to one request: neither another tenant's id nor an undeclared bulkId resolves.
          {
            method: 'PATCH',
            path: `/Users/bulkId:${bUser}`,
            data: patchOp({ op: 'replace', path: 'active', value: false }),
          },
          {
            method: 'POST',
            bulkId: 'g',
            path: '/Groups',
            data: {
              schemas: [GROUP],
              displayName: `Bulk ${crypto.randomUUID()}`,
              members: [{ value: bUser }],
            },
          },
        ],
      },
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual([
      '404',
      '404',
      '404',
      '409',
      '201',
    ])
    const group = await scim(
      a.tenant,
      new URL(res.json.Operations[4].location).pathname.replace('/scim/v2', ''),
    )
    expect(group.json.members ?? []).toEqual([])
    expectNoneOf(
      expect,
      res,
      b.secrets.filter((s) => s !== bUser && s !== b.group.id),
      'bulk',
    )
    expect(await Promise.all([b, c].map(rowsOf))).toEqual(before)
  })

  it("refuses another tenant's cursor exactly as a forged one", async ({ expect }) => {
    const page = await scim(b.tenant, '/Users?cursor=&count=1')
    expect(page.status, page.text).toBe(200)
    const cursor = page.json.nextCursor as string
    expect(cursor).toBeTruthy()
    // b's own cursor works for b.
    expect((await scim(b.tenant, `/Users?cursor=${cursor}&count=1`)).status).toBe(200)
    const stolen = await scim(a.tenant, `/Users?cursor=${cursor}&count=1`)
    const forged = await scim(a.tenant, `/Users?cursor=${cursor.slice(0, -2)}AA&count=1`)
    expect(stolen.status).toBe(400)
    expect(stolen.json.scimType).toBe('invalidCursor')
    expect(comparable(stolen)).toEqual(comparable(forged))
    const searched = await scim(a.tenant, '/Users/.search', {
      body: { schemas: [SEARCH_REQUEST], cursor, count: 1 },
    })
    expect(searched.status).toBe(400)
    expectNoneOf(expect, stolen, b.secrets, 'cursor')
  })
})
