import { exports } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { ERROR } from '../support/fixtures'
import { createTenant } from '../support/tenant'

const healthz = (host: string) => exports.default.fetch(`https://${host}/healthz`)

describe('GET /healthz', () => {
  it('checks KV and every D1 binding on the bare base domain, naming no tenant', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await healthz('scim.example.com')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({
      status: 'ok',
      checks: expect.objectContaining({ TENANTS: 'ok', DB: 'ok', DB_2: 'ok' }),
    })
    expect(text).not.toContain(tenant.name)
  })

  it('answers on localhost where local tenants are allowed (wrangler dev)', async ({ expect }) => {
    expect((await healthz('localhost:8787')).status).toBe(200)
  })

  it("is not an endpoint of a tenant's host nor of another domain", async ({ expect }) => {
    const tenant = await createTenant()
    for (const host of [tenant.host, 'example.org']) {
      const res = await healthz(host)
      expect(res.status).toBe(404)
      expect(await res.json()).toMatchObject({ schemas: [ERROR], status: '404' })
    }
  })
})
