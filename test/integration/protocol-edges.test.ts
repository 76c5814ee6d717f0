import { exports } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import {
  createGroup,
  createUser,
  ENTERPRISE,
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

// RFC 7644 §3 and issue 5 point 3: trailing slashes, HEAD, 405 with Allow, the `schemas` check of
// request bodies, and absolute `Location` / `meta.location` on the tenant's own host.

const ENTRA_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'
const SCIM_JSON = 'application/scim+json'

const allowOf = (headers: Headers) =>
  (headers.get('allow') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .sort()

/** A tenant with one user and one group holding it, the paths below name them. */
async function seeded() {
  const tenant = await createTenant()
  const created = await createUser(tenant, `edge-${crypto.randomUUID()}@example.com`)
  const group = await createGroup(tenant, `Edge ${crypto.randomUUID()}`, [created.id])
  // Read back: the user now lists its group.
  const user = (await scim(tenant, `/Users/${created.id}`)).json
  return { tenant, user, group }
}

type Seed = Awaited<ReturnType<typeof seeded>>

describe('trailing slashes route like the path without them', () => {
  it.for(['/Users/', '/Groups/', '/ServiceProviderConfig/', '/Schemas/', '/ResourceTypes/'])(
    'answers GET %s like the path without the slash',
    async (path, { expect }) => {
      const { tenant } = await seeded()
      const slashed = await scim(tenant, path)
      const plain = await scim(tenant, path.slice(0, -1))
      expect(slashed.status).toBe(200)
      expect(slashed.headers.get('content-type')).toBe(SCIM_JSON)
      expect(slashed.json).toEqual(plain.json)
    },
  )

  it('creates with POST /Users/ and POST /Groups/, with a Location without the slash', async ({ expect }) => {
    const tenant = await createTenant()
    const user = await scim(tenant, '/Users/', { body: oktaUser('slash@example.com') })
    expect(user.status).toBe(201)
    expect(user.headers.get('location')).toBe(`${tenant.baseUrl}/Users/${user.json.id}`)
    const group = await scim(tenant, '/Groups/', { body: { schemas: [GROUP], displayName: 'Slash' } })
    expect(group.status).toBe(201)
    expect(group.headers.get('location')).toBe(`${tenant.baseUrl}/Groups/${group.json.id}`)
  })

  it.for(['/Users/.search/', '/Groups/.search/', '/.search/'])(
    'answers POST %s like the path without the slash',
    async (path, { expect }) => {
      const { tenant } = await seeded()
      const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: 10 }
      const slashed = await scim(tenant, path, { body })
      expect(slashed.status).toBe(200)
      expect(slashed.json.schemas).toEqual([LIST])
      expect(slashed.json.totalResults).toBeGreaterThan(0)
      expect(slashed.json).toEqual((await scim(tenant, path.slice(0, -1), { body })).json)
    },
  )

  it('reads, replaces, patches and deletes through /Users/{id}/ and /Groups/{id}/', async ({ expect }) => {
    const { tenant, user, group } = await seeded()
    const got = await scim(tenant, `/Users/${user.id}/`)
    expect(got.status).toBe(200)
    expect(got.json).toEqual(user)

    const put = await scim(tenant, `/Users/${user.id}/`, {
      method: 'PUT',
      body: { ...oktaUser(user.userName), title: 'Put through a slash' },
    })
    expect(put.status).toBe(200)
    expect(put.json.title).toBe('Put through a slash')

    const patched = await scim(tenant, `/Users/${user.id}/`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'nickName', value: 'Slashy' }),
    })
    expect(patched.status).toBe(200)
    expect(patched.json.nickName).toBe('Slashy')

    expect((await scim(tenant, `/Groups/${group.id}/`)).json.displayName).toBe(group.displayName)
    const renamed = await scim(tenant, `/Groups/${group.id}/`, {
      method: 'PATCH',
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Renamed through a slash' }),
    })
    expect(renamed.status).toBe(204)
    expect((await scim(tenant, `/Groups/${group.id}`)).json.displayName).toBe('Renamed through a slash')

    expect((await scim(tenant, `/Groups/${group.id}/`, { method: 'DELETE' })).status).toBe(204)
    expect((await scim(tenant, `/Users/${user.id}/`, { method: 'DELETE' })).status).toBe(204)
    expect((await scim(tenant, `/Users/${user.id}`)).status).toBe(404)
    expect((await scim(tenant, `/Groups/${group.id}`)).status).toBe(404)
  })
})

describe('HEAD works wherever GET does (RFC 9110 §9.3.2)', () => {
  const paths: [string, (s: Seed) => string][] = [
    ['the user list', () => '/Users'],
    [
      'a filtered user list',
      (s) => `/Users?filter=${encodeURIComponent(`userName eq "${s.user.userName}"`)}`,
    ],
    ['the group list', () => '/Groups'],
    ['a user', (s) => `/Users/${s.user.id}`],
    ['a group', (s) => `/Groups/${s.group.id}`],
    ['a group without members', (s) => `/Groups/${s.group.id}?excludedAttributes=members`],
    ['/ServiceProviderConfig', () => '/ServiceProviderConfig'],
    ['/Schemas', () => '/Schemas'],
    ['a schema', () => `/Schemas/${USER}`],
    ['/ResourceTypes', () => '/ResourceTypes'],
    ['a resource type', () => '/ResourceTypes/User'],
  ]

  it.for(paths)(
    'answers HEAD on %s with the status and headers of GET and no body',
    async ([, path], { expect }) => {
      const seed = await seeded()
      const get = await scim(seed.tenant, path(seed))
      const head = await scim(seed.tenant, path(seed), { method: 'HEAD' })
      expect(get.status).toBe(200)
      expect(head.status).toBe(200)
      expect(head.text).toBe('')
      expect(head.headers.get('content-type')).toBe(SCIM_JSON)
      expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
    },
  )

  it('answers HEAD with the ETag of the resource and 304 for If-None-Match with it', async ({ expect }) => {
    const { tenant, user } = await seeded()
    const head = await scim(tenant, `/Users/${user.id}`, { method: 'HEAD' })
    expect(head.headers.get('etag')).toBe('W/"1"')
    const notModified = await scim(tenant, `/Users/${user.id}`, {
      method: 'HEAD',
      headers: { 'if-none-match': 'W/"1"' },
    })
    expect(notModified.status).toBe(304)
  })

  it('answers HEAD of an unknown id with 404, of a missing token with 401, and no body', async ({
    expect,
  }) => {
    const { tenant } = await seeded()
    const missing = await scim(tenant, `/Users/${crypto.randomUUID()}`, { method: 'HEAD' })
    expect(missing.status).toBe(404)
    expect(missing.text).toBe('')
    expect(missing.headers.get('content-type')).toBe(SCIM_JSON)
    const anonymous = await scim(tenant, '/Users', { method: 'HEAD', token: null })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(anonymous.text).toBe('')
  })
})

describe('a method a path does not support gets 405 with Allow (RFC 9110 §15.5.6)', () => {
  const ITEM = ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']
  const COLLECTION = ['GET', 'HEAD', 'POST']
  const READ_ONLY = ['GET', 'HEAD']
  const POST_ONLY = ['POST']
  const ALL = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
  const table: [string, (s: Seed) => string, string[]][] = [
    ['/Users', () => '/Users', COLLECTION],
    ['/Users/{id}', (s) => `/Users/${s.user.id}`, ITEM],
    ['/Groups', () => '/Groups', COLLECTION],
    ['/Groups/{id}', (s) => `/Groups/${s.group.id}`, ITEM],
    ['/Users/.search', () => '/Users/.search', POST_ONLY],
    ['/Groups/.search', () => '/Groups/.search', POST_ONLY],
    ['/.search', () => '/.search', POST_ONLY],
    ['/Bulk', () => '/Bulk', POST_ONLY],
    ['/ServiceProviderConfig', () => '/ServiceProviderConfig', READ_ONLY],
    ['/Schemas', () => '/Schemas', READ_ONLY],
    ['/Schemas/{urn}', () => `/Schemas/${ENTERPRISE}`, READ_ONLY],
    ['/ResourceTypes', () => '/ResourceTypes', READ_ONLY],
    ['/ResourceTypes/{name}', () => '/ResourceTypes/Group', READ_ONLY],
  ]

  it.for(table)(
    'answers every other method on %s with a SCIM 405 naming the allowed ones, before reading the body',
    async ([, path, allowed], { expect }) => {
      const seed = await seeded()
      const refused = ALL.filter((m) => !allowed.includes(m))
      expect(refused.length).toBeGreaterThan(0)
      for (const method of refused) {
        const res = await scim(seed.tenant, path(seed), {
          method,
          body: method === 'GET' || method === 'DELETE' ? undefined : 'not json at all',
          headers: { 'content-type': 'application/scim+json' },
        })
        expect(res.status, `${method} ${path(seed)}`).toBe(405)
        expect(allowOf(res.headers), `${method} ${path(seed)}`).toEqual([...allowed].sort())
        expect(res.headers.get('content-type')).toBe(SCIM_JSON)
        expect(res.json).toMatchObject({ schemas: [ERROR], status: '405' })
        expect(res.json.detail).toBeTruthy()
      }
    },
  )

  it('changes nothing when it refuses a method', async ({ expect }) => {
    const { tenant, user, group } = await seeded()
    await scim(tenant, `/Users/${user.id}`, { method: 'POST', body: oktaUser('other@example.com') })
    await scim(tenant, '/Groups', { method: 'DELETE' })
    await scim(tenant, '/Users', { method: 'PUT', body: oktaUser('third@example.com') })
    expect((await scim(tenant, `/Users/${user.id}`)).json).toEqual(user)
    expect((await scim(tenant, `/Groups/${group.id}`)).json).toEqual(group)
    const list = await scim(tenant, '/Users')
    expect(list.json.totalResults).toBe(1)
  })
})

describe('the schemas attribute of request bodies (RFC 7644 §3.3, §3.5.2)', () => {
  it.for([
    ['no schemas', { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
    ['empty schemas', { schemas: [], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
    ['the User URN', { schemas: [USER], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
    [
      'schemas as a string',
      { schemas: PATCH_OP, Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
    ],
    ['a PUT body', { ...oktaUser('x@example.com'), title: 'x' }],
  ] as const)(
    'refuses a user PATCH with %s: 400 invalidSyntax, user unchanged',
    async ([, body], { expect }) => {
      const { tenant, user } = await seeded()
      const res = await scim(tenant, `/Users/${user.id}`, { method: 'PATCH', body })
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' })
      expect(res.json.detail).toContain(PATCH_OP)
      expect((await scim(tenant, `/Users/${user.id}`)).json).toEqual(user)
    },
  )

  it('refuses a group PATCH without the PatchOp URN: 400 invalidSyntax, group unchanged', async ({
    expect,
  }) => {
    const { tenant, group } = await seeded()
    for (const schemas of [undefined, [GROUP], [ENTRA_GROUP]]) {
      const res = await scim(tenant, `/Groups/${group.id}`, {
        method: 'PATCH',
        body: { schemas, Operations: [{ op: 'replace', path: 'displayName', value: 'Changed' }] },
      })
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' })
    }
    expect((await scim(tenant, `/Groups/${group.id}`)).json).toEqual(group)
  })

  it.for([
    ['/Users', 'no schemas', { userName: 'a@example.com' }],
    ['/Users', 'empty schemas', { schemas: [], userName: 'a@example.com' }],
    ['/Users', 'only the Group URN', { schemas: [GROUP], userName: 'a@example.com' }],
    ['/Users', 'only the enterprise URN', { schemas: [ENTERPRISE], userName: 'a@example.com' }],
    ['/Users', 'the PatchOp URN', { schemas: [PATCH_OP], userName: 'a@example.com' }],
    ['/Groups', 'no schemas', { displayName: 'A' }],
    ['/Groups', 'only the User URN', { schemas: [USER], displayName: 'A' }],
    ['/Groups', "only Entra's extra group URI", { schemas: [ENTRA_GROUP], displayName: 'A' }],
  ] as const)(
    'refuses POST %s with %s: 400 invalidSyntax, nothing created',
    async ([path, , body], { expect }) => {
      const tenant = await createTenant()
      const res = await scim(tenant, path, { body })
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' })
      expect(res.json.detail).toContain(path === '/Users' ? USER : GROUP)
      // Nothing was stored: the same resource with its core URN is still new.
      const fixed = await scim(tenant, path, {
        body: { ...body, schemas: [path === '/Users' ? USER : GROUP] },
      })
      expect(fixed.status).toBe(201)
    },
  )

  it('refuses PUT of a user or group whose schemas lack the core URN, and changes nothing', async ({
    expect,
  }) => {
    const { tenant, user, group } = await seeded()
    const putUser = await scim(tenant, `/Users/${user.id}`, {
      method: 'PUT',
      body: { ...oktaUser(user.userName), schemas: [ENTERPRISE], title: 'x' },
    })
    expect(putUser.status).toBe(400)
    expect(putUser.json.scimType).toBe('invalidSyntax')
    const putGroup = await scim(tenant, `/Groups/${group.id}`, {
      method: 'PUT',
      body: { schemas: [ENTRA_GROUP], displayName: 'x' },
    })
    expect(putGroup.status).toBe(400)
    expect(putGroup.json.scimType).toBe('invalidSyntax')
    expect((await scim(tenant, `/Users/${user.id}`)).json).toEqual(user)
    expect((await scim(tenant, `/Groups/${group.id}`)).json).toEqual(group)
  })

  it("tolerates Entra's extra non-RFC group schema URI beside the core URN on POST and PUT", async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const created = await scim(tenant, '/Groups', {
      body: { schemas: [GROUP, ENTRA_GROUP], externalId: '8aa1a0c0', displayName: 'Entra group' },
    })
    expect(created.status).toBe(201)
    expect(created.json.schemas).toEqual([GROUP])
    const put = await scim(tenant, `/Groups/${created.json.id}`, {
      method: 'PUT',
      body: { schemas: [ENTRA_GROUP, GROUP], displayName: 'Entra group renamed' },
    })
    expect(put.status).toBe(200)
    expect(put.json.displayName).toBe('Entra group renamed')
  })

  it('accepts the core URN listed after other URIs and the enterprise URN beside it', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users', {
      body: { ...oktaUser('order@example.com'), schemas: [ENTERPRISE, USER] },
    })
    expect(res.status).toBe(201)
  })
})

describe('Location and meta.location are absolute URLs on the tenant host (RFC 7644 §3.1)', () => {
  const hosts: [string, (t: TestTenant) => string][] = [
    ['its subdomain', (t) => t.host],
    ['a port', (t) => `${t.name}.scim.example.com:8443`],
    ['localhost with a port', (t) => `${t.name}.localhost:8787`],
  ]

  it.for(hosts)(
    'answers on %s with Location, meta.location and $ref on that host',
    async ([, hostOf], { expect }) => {
      const tenant = await createTenant()
      const host = hostOf(tenant)
      const base = `https://${host}/scim/v2`
      const created = await scim(tenant, '/Users', { body: oktaUser('where@example.com'), host })
      expect(created.status).toBe(201)
      const userUrl = `${base}/Users/${created.json.id}`
      expect(created.headers.get('location')).toBe(userUrl)
      expect(created.json.meta.location).toBe(userUrl)
      expect(new URL(userUrl).host).toBe(host)

      const group = await scim(tenant, '/Groups', {
        body: { schemas: [GROUP], displayName: 'Where', members: [{ value: created.json.id }] },
        host,
      })
      const groupUrl = `${base}/Groups/${group.json.id}`
      expect(group.headers.get('location')).toBe(groupUrl)
      expect(group.json.meta.location).toBe(groupUrl)
      expect(group.json.members[0].$ref).toBe(userUrl)

      const read = await scim(tenant, `/Users/${created.json.id}`, { host })
      expect(read.json.meta.location).toBe(userUrl)
      expect(read.json.groups[0].$ref).toBe(groupUrl)
      const patched = await scim(tenant, `/Users/${created.json.id}`, {
        method: 'PATCH',
        body: patchOp({ op: 'replace', path: `${ENTERPRISE}:manager`, value: 'm-1' }),
        host,
      })
      expect(patched.json.meta.location).toBe(userUrl)
      expect(patched.json[ENTERPRISE].manager.$ref).toBe(`${base}/Users/m-1`)
      const put = await scim(tenant, `/Groups/${group.json.id}`, {
        method: 'PUT',
        body: { schemas: [GROUP], displayName: 'Where' },
        host,
      })
      expect(put.json.meta.location).toBe(groupUrl)

      const list = await scim(
        tenant,
        `/Users?filter=${encodeURIComponent('userName eq "where@example.com"')}`,
        {
          host,
        },
      )
      expect(list.json.schemas).toEqual([LIST])
      expect(list.json.Resources.map((r: { meta: { location: string } }) => r.meta.location)).toEqual([
        userUrl,
      ])

      const config = await scim(tenant, '/ServiceProviderConfig', { host })
      expect(config.json.meta.location).toBe(`${base}/ServiceProviderConfig`)
      const userType = await scim(tenant, '/ResourceTypes/User', { host })
      expect(userType.json.meta.location).toBe(`${base}/ResourceTypes/User`)
    },
  )

  it('answers plain-HTTP local development (wrangler dev on x.localhost:8787) with http:// locations', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const base = `http://${tenant.name}.localhost:8787/scim/v2`
    const res = await exports.default.fetch(`${base}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(oktaUser('local@example.com')),
    })
    expect(res.status).toBe(201)
    const user = (await res.json()) as { id: string; meta: { location: string } }
    expect(res.headers.get('location')).toBe(`${base}/Users/${user.id}`)
    expect(user.meta.location).toBe(`${base}/Users/${user.id}`)
  })

  it('derives the location from the host of each request, not from the one the resource was created on', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const viaPort = await scim(tenant, '/Users', {
      body: oktaUser('two-hosts@example.com'),
      host: `${tenant.name}.localhost:8787`,
    })
    const viaDomain = await scim(tenant, `/Users/${viaPort.json.id}`)
    expect(viaDomain.json.meta.location).toBe(`${tenant.baseUrl}/Users/${viaPort.json.id}`)
    expect(viaPort.json.meta.location).toBe(
      `https://${tenant.name}.localhost:8787/scim/v2/Users/${viaPort.json.id}`,
    )
  })
})
