import { describe, it } from 'vitest'
import { generateToken } from '../../src/tenancy/token'
import { type ScimRequest, scim } from '../support/scim-client'
import { createTenant, updateTenant } from '../support/tenant'

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

describe('tenancy by subdomain', () => {
  it('serves a tenant at <tenant>.<BASE_DOMAIN> with its token', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/scim+json')
    expect(res.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse'])
  })

  it.for<[string, (name: string) => string]>([
    ['upper case', (n: string) => `${n.toUpperCase()}.SCIM.EXAMPLE.COM`],
    ['a port', (n: string) => `${n}.scim.example.com:8443`],
    ['a trailing dot', (n: string) => `${n}.scim.example.com.`],
    ['localhost when allowed', (n: string) => `${n}.localhost:8787`],
  ])('accepts a host with %s', async ([, host], { expect }) => {
    const tenant = await createTenant()
    expect((await scim(tenant, '/Users', { host: host(tenant.name) })).status).toBe(200)
  })

  it.for<[string, (name: string) => string]>([
    ['the bare base domain', () => 'scim.example.com'],
    ['an IP address', () => '192.0.2.7'],
    ['a deeper subdomain', (n: string) => `x.${n}.scim.example.com`],
    ['another domain', (n: string) => `${n}.example.org`],
    ['a malformed label', () => '-bad-.scim.example.com'],
    ['an underscore', () => 'a_b.scim.example.com'],
    ['two trailing dots', (n: string) => `${n}.scim.example.com..`],
  ])('answers 404 for %s, before any authentication', async ([, host], { expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users', { host: host(tenant.name) })
    expect(res.status).toBe(404)
    expect(res.json.schemas).toEqual([ERROR])
    expect(res.json.status).toBe('404')
    // No timing before authentication (nor any D1 work to time).
    expect(res.headers.get('server-timing')).toBeNull()
  })
})

describe('bearer token authentication', () => {
  const expectUnauthorized = (
    expect: import('vitest').ExpectStatic,
    res: Awaited<ReturnType<typeof scim>>,
  ) => {
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(res.headers.get('content-type')).toBe('application/scim+json')
    expect(res.json).toEqual({
      schemas: [ERROR],
      status: '401',
      detail: 'Authentication failed: a valid bearer token for this tenant is required',
    })
  }

  it.for<[string, ScimRequest]>([
    ['no Authorization header', { token: null }],
    ['an empty token', { headers: { authorization: 'Bearer ' } }],
    ['Bearer without a token', { headers: { authorization: 'Bearer' } }],
    ['a wrong scheme', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }],
    ["Okta's non-token", { headers: { authorization: 'non-token' } }],
    ['a malformed token', { token: 'not-a-token' }],
    ['a well-formed unknown token', { token: generateToken() }],
  ])('refuses %s with a SCIM 401', async ([, request], { expect }) => {
    const tenant = await createTenant()
    expectUnauthorized(expect, await scim(tenant, '/Users', request))
  })

  // A trailing space never reaches the Worker: HTTP trims header values.
  it('refuses a token with inner whitespace or a second token', async ({ expect }) => {
    const tenant = await createTenant()
    const other = await createTenant()
    for (const authorization of [`Bearer  ${tenant.token}`, `Bearer ${tenant.token} ${other.token}`]) {
      expectUnauthorized(expect, await scim(tenant, '/Users', { headers: { authorization } }))
    }
  })

  it("refuses another tenant's token exactly as an unknown tenant's", async ({ expect }) => {
    const acme = await createTenant()
    const globex = await createTenant()
    expectUnauthorized(expect, await scim(acme, '/Users', { token: globex.token }))
    const ghost = { ...acme, host: 'ghost-tenant.scim.example.com' }
    const ghostRes = await scim(ghost, '/Users')
    expectUnauthorized(expect, ghostRes)
  })

  it('accepts the Bearer scheme in any letter case', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users', { headers: { authorization: `bearer ${tenant.token}` } })
    expect(res.status).toBe(200)
  })

  it('refuses a revoked token', async ({ expect }) => {
    const tenant = await createTenant()
    await updateTenant(tenant.name, (r) => ({ ...r, tokens: [] }))
    expectUnauthorized(expect, await scim(tenant, '/Users'))
  })

  it('refuses an expired token and accepts one within its grace period', async ({ expect }) => {
    const tenant = await createTenant()
    await updateTenant(tenant.name, (r) => ({
      ...r,
      tokens: r.tokens.map((t) => ({ ...t, expiresAt: new Date(Date.now() + 3_600_000).toISOString() })),
    }))
    expect((await scim(tenant, '/Users')).status).toBe(200)
    await updateTenant(tenant.name, (r) => ({
      ...r,
      tokens: r.tokens.map((t) => ({ ...t, expiresAt: new Date(Date.now() - 1000).toISOString() })),
    }))
    expectUnauthorized(expect, await scim(tenant, '/Users'))
  })

  it('refuses every request of a suspended tenant', async ({ expect }) => {
    const tenant = await createTenant({ status: 'suspended' })
    const res = await scim(tenant, '/Users')
    expect(res.status).toBe(401)
    expect(res.json.detail).toBe('This tenant is suspended')
  })
  it('refuses a tenant in a state a later release may write (never active by mistake)', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    await updateTenant(tenant.name, (record) => ({ ...record, status: 'archived', revision: 7 }))
    const res = await scim(tenant, '/Users')
    expect(res.status).toBe(401)
    expect(res.json.detail).toBe('This tenant is not active')
  })
})
