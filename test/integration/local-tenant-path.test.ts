import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { createApp } from '../../src/app'
import { ERROR, LIST, oktaUser } from '../support/fixtures'
import { opsEnv } from '../support/ops-env'
import { createTenant, type TestTenant } from '../support/tenant'

// `http://localhost:8787/tenants/<name>/scim/v2/…`: the local-only tenant selector for tools on Node
// (fetch, axios, newman), which cannot resolve `<name>.localhost` (README, "Reaching a tenant locally").

const call = (url: string, tenant: TestTenant, init: RequestInit = {}) =>
  exports.default.fetch(url, {
    ...init,
    headers: {
      authorization: `Bearer ${tenant.token}`,
      'content-type': 'application/scim+json',
      ...init.headers,
    },
  })

describe('local tenant selector /tenants/<name>', () => {
  it('serves the named tenant on localhost, and every URL it builds keeps the selector', async ({
    expect,
  }) => {
    const tenant = await createTenant()
    const base = `http://localhost:8787/tenants/${tenant.name}/scim/v2`
    const created = await call(`${base}/Users`, tenant, {
      method: 'POST',
      body: JSON.stringify(oktaUser('path@example.com')),
    })
    expect(created.status).toBe(201)
    const user = (await created.json()) as { id: string; meta: { location: string } }
    expect(created.headers.get('location')).toBe(`${base}/Users/${user.id}`)
    expect(user.meta.location).toBe(`${base}/Users/${user.id}`)

    const followed = await call(user.meta.location, tenant)
    expect(followed.status).toBe(200)
    const list = await call(`http://127.0.0.1:8787/tenants/${tenant.name}/scim/v2/users/`, tenant)
    expect(await list.json()).toMatchObject({ schemas: [LIST], totalResults: 1 })
    // The same tenant by its subdomain sees the same user.
    const bySubdomain = await call(`http://${tenant.name}.localhost:8787/scim/v2/Users/${user.id}`, tenant)
    expect(bySubdomain.status).toBe(200)
  })

  it("needs the named tenant's own token: another tenant's token gets 401", async ({ expect }) => {
    const [a, b] = [await createTenant(), await createTenant()]
    const res = await call(`http://localhost:8787/tenants/${a.name}/scim/v2/Users`, b)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ schemas: [ERROR], status: '401' })
  })

  it.for([
    ["a tenant's subdomain (a request names its tenant one way only)", () => 'other-tenant.localhost:8787'],
    ['its own subdomain', (t: string) => `${t}.localhost:8787`],
    ['the base domain', () => 'scim.example.com'],
    ["a tenant's production host", (t: string) => `${t}.scim.example.com`],
    ['an address that is not loopback', () => '192.0.2.10:8787'],
  ] as const)('is not read on %s: 404', async ([, host], { expect }) => {
    const tenant = await createTenant()
    const res = await call(`http://${host(tenant.name)}/tenants/${tenant.name}/scim/v2/Users`, tenant)
    expect(res.status).toBe(404)
  })

  it.for([
    ['an invalid tenant name', (t: string) => `/tenants/-${t}/scim/v2/Users`],
    ['no SCIM path after it', (t: string) => `/tenants/${t}/Users`],
    ['a nested selector', (t: string) => `/tenants/${t}/tenants/${t}/scim/v2/Users`],
  ] as const)('refuses %s with 404', async ([, path], { expect }) => {
    const tenant = await createTenant()
    expect((await call(`http://localhost:8787${path(tenant.name)}`, tenant)).status).toBe(404)
  })

  it('does not exist in production (ALLOW_LOCALHOST_TENANTS = "false")', async ({ expect }) => {
    const tenant = await createTenant()
    const production = { ...opsEnv, ALLOW_LOCALHOST_TENANTS: 'false' }
    const app = createApp()
    const fetchWith = async (url: string) => {
      const ctx = createExecutionContext()
      const res = await app.fetch(
        new Request(url, { headers: { authorization: `Bearer ${tenant.token}` } }),
        production,
        ctx,
      )
      await waitOnExecutionContext(ctx)
      return res
    }
    expect((await fetchWith(`http://localhost:8787/tenants/${tenant.name}/scim/v2/Users`)).status).toBe(404)
    // The tenant itself is still served at its production host.
    expect((await fetchWith(`https://${tenant.name}.scim.example.com/scim/v2/Users`)).status).toBe(200)
  })
})
