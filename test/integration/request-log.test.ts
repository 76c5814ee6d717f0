import { exports } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { SEARCH_REQUEST } from '../../src/schema/urns'
import { createUser, oktaUser, patchOp, USER } from '../support/fixtures'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const
let lines: string[] = []

beforeEach(() => {
  lines = []
  for (const method of METHODS) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
  }
})
afterEach(() => vi.restoreAllMocks())

/** The request log lines (level info or error with a `route`), parsed. */
const requestLines = () =>
  lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => 'route' in entry)

describe('request log', () => {
  it('writes one line per request with the route pattern, tenant, status, D1 round trips and SCIM error type', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const user = await createUser(tenant, 'shape@example.com')
    await scim(tenant, `/Users/${user.id}`)
    await scim(tenant, '/Users', { body: oktaUser('shape@example.com') })

    const entries = requestLines()
    expect(entries).toHaveLength(3)
    expect(entries[1]).toMatchObject({
      level: 'info',
      tenant: tenant.name,
      method: 'GET',
      route: '/scim/v2/Users/:id',
      status: 200,
      d1RoundTrips: 1,
    })
    expect(entries[2]).toMatchObject({ route: '/scim/v2/Users', status: 409, scimType: 'uniqueness' })
    for (const entry of entries) expect(entry.durationMs).toBeTypeOf('number')
  })

  it('names the endpoint pattern when authentication answered before it', async ({ expect }) => {
    const tenant = await createTenant()
    await scim(tenant, '/Users/some-id', { token: null })
    const [entry, ...rest] = requestLines()
    expect(rest).toEqual([])
    expect(entry).toMatchObject({ route: '/scim/v2/Users/:id', status: 401 })
    expect(entry).not.toHaveProperty('tenant')
    // A 401 has no SCIM error type (RFC 7644 §3.12 defines them for 400 and 409).
    expect(entry).not.toHaveProperty('scimType')
  })

  it('names the endpoint that answered: searches, 405s and the designed 501 of /Me', async ({ expect }) => {
    const tenant = await createTenant()
    await scim(tenant, '/Users/.search', { method: 'POST', body: { schemas: [SEARCH_REQUEST] } })
    await scim(tenant, '/Groups/.search')
    await scim(tenant, '/Me')
    expect(requestLines().map(({ level, route, status }) => ({ level, route, status }))).toEqual([
      { level: 'info', route: '/scim/v2/Users/.search', status: 200 },
      { level: 'info', route: '/scim/v2/Groups/.search', status: 405 },
      // /Me answers 501 by design (README): not a fault for an operator to chase.
      { level: 'info', route: '/scim/v2/Me', status: 501 },
    ])
  })

  it("uses cf-ray as the request id, ignores a client's X-Request-Id, and returns the id", async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const ray = '8f1a2b3c4d5e6f70-LHR'
    const withRay = await scim(tenant, '/Users', { headers: { 'cf-ray': ray } })
    const spoofed = await scim(tenant, '/Users', { headers: { 'X-Request-Id': 'chosen-by-client' } })
    expect(withRay.headers.get('x-request-id')).toBe(ray)
    expect(spoofed.headers.get('x-request-id')).not.toBe('chosen-by-client')
    expect(requestLines().map((entry) => entry.requestId)).toEqual([ray, spoofed.headers.get('x-request-id')])
  })

  it('logs an unexpected error once, with the request id that the 500 carries', async ({ expect }) => {
    // A record naming a D1 binding the deployment lacks is an operator error, not the client's.
    const tenant = await createTenant({ db: 'DB_MISSING' })
    const res = await scim(tenant, '/Users', { headers: { 'cf-ray': '0123456789abcdef-AMS' } })
    expect(res.status).toBe(500)
    expect(res.json.detail).toBe('Internal server error (request id 0123456789abcdef-AMS)')
    expect(res.headers.get('x-request-id')).toBe('0123456789abcdef-AMS')
    const errors = lines.filter((line) => line.includes('unexpected error'))
    expect(errors).toHaveLength(1)
    expect(JSON.parse(errors[0]!)).toMatchObject({ level: 'error', requestId: '0123456789abcdef-AMS' })
    expect(requestLines()).toEqual([
      expect.objectContaining({ level: 'error', requestId: '0123456789abcdef-AMS', status: 500 }),
    ])
  })

  it('never logs a token, a password or an attribute value, whatever the outcome', async ({ expect }) => {
    const tenant = await createTenant()
    const secrets = {
      userName: 'zq-secret-username@example.org',
      password: 'Zq-Passw0rd-Never-Logged',
      givenName: 'Zqgiven',
      familyName: 'Zqfamily',
      externalId: 'zq-external-0001',
      title: 'Zq-Title-Value',
      group: 'Zq Group Name',
    }
    const body = oktaUser(secrets.userName, {
      password: secrets.password,
      externalId: secrets.externalId,
      name: { givenName: secrets.givenName, familyName: secrets.familyName },
    })
    const created = await scim(tenant, '/Users', { body })
    expect(created.status).toBe(201)
    const id = created.json.id as string
    const requests = [
      scim(tenant, '/Users', { body }), // 409 uniqueness
      scim(tenant, `/Users?filter=${encodeURIComponent(`userName eq "${secrets.userName}"`)}`),
      scim(tenant, `/Users/${id}`, {
        method: 'PATCH',
        body: patchOp({ op: 'replace', value: { title: secrets.title, password: secrets.password } }),
      }),
      scim(tenant, `/Users/${id}`, {
        method: 'PATCH',
        body: patchOp({ op: 'replace', path: 'active', value: secrets.title }), // 400 invalidValue
      }),
      scim(tenant, '/Users', { body: `{"schemas":["${USER}"],"userName":"${secrets.userName}"` }), // bad JSON
      scim(tenant, '/Groups', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: secrets.group },
      }),
      scim(tenant, '/Users', { token: `${tenant.token.slice(0, -1)}x` }), // 401 with a wrong token
      exports.default.fetch(`https://${tenant.host}/scim/v2/Users`, {
        headers: { authorization: `Basic ${btoa(`admin:${secrets.password}`)}` },
      }),
    ]
    for (const request of requests) await request
    const broken = await createTenant({ db: 'DB_MISSING' })
    await scim(broken, '/Users', { body })

    expect(requestLines().length).toBeGreaterThanOrEqual(requests.length + 1)
    const output = lines.join('\n')
    for (const value of [
      ...Object.values(secrets),
      tenant.token,
      broken.token,
      btoa(`admin:${secrets.password}`),
    ]) {
      expect(output).not.toContain(value)
    }
    expect(output).not.toContain(id)
  })
})
