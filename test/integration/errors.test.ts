import { describe, it } from 'vitest'
import { scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

describe('SCIM error model', () => {
  it('answers an unknown route with a SCIM 404', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Nothing')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/scim+json')
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '404' })
    expect(res.json.detail).toBeTruthy()
  })

  it('answers a path outside /scim/v2 with a SCIM 404', async ({ expect }) => {
    const { exports } = await import('cloudflare:workers')
    const res = await exports.default.fetch('https://x.scim.example.com/')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ schemas: [ERROR], status: '404' })
  })

  it('answers 405 with Allow for an unsupported method without reading the body', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Users', { method: 'DELETE', body: 'not json at all' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toContain('GET')
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '405' })
  })
})
