import { describe, it } from 'vitest'
import { renderSchema } from '../../src/discovery/render'
import { BUILTIN_SCHEMAS } from '../../src/schema/builtin'
import { ENTERPRISE, ERROR, GROUP, LIST, USER } from '../support/fixtures'
import { roundTrips, scim } from '../support/scim-client'
import { createTenant } from '../support/tenant'

describe('discovery (RFC 7644 §4)', () => {
  it('serves /ServiceProviderConfig with absolute meta.location and no D1 round trip', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/ServiceProviderConfig')
    expect(res.status).toBe(200)
    expect(roundTrips(res.headers)).toBe(0)
    expect(res.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      changePassword: { supported: false },
      etag: { supported: true },
      // MAX_QUERIES_PER_INVOCATION (1,000) less 5 calls, at two D1 round trips an operation.
      bulk: { supported: true, maxOperations: 497, maxPayloadSize: 1048576 },
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${tenant.baseUrl}/ServiceProviderConfig` },
    })
    expect(res.json.filter.maxResults).toBeGreaterThan(0)
    expect(res.json.authenticationSchemes[0].description).toBeTruthy()
  })

  it('serves /Schemas equal to the one schema definition', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/Schemas')
    expect(res.json.schemas).toEqual([LIST])
    expect(res.json.Resources).toEqual(BUILTIN_SCHEMAS.map((s) => renderSchema(s, tenant.baseUrl)))
    expect(res.json.Resources.map((s: { id: string }) => s.id).sort()).toEqual(
      [USER, ENTERPRISE, GROUP].sort(),
    )
    const one = await scim(tenant, `/Schemas/${ENTERPRISE}`)
    expect(one.json.id).toBe(ENTERPRISE)
    expect(one.json.meta.location).toBe(`${tenant.baseUrl}/Schemas/${ENTERPRISE}`)
  })

  it('serves /ResourceTypes with the enterprise extension on User', async ({ expect }) => {
    const tenant = await createTenant()
    const res = await scim(tenant, '/ResourceTypes')
    expect(res.json.Resources.map((r: { name: string }) => r.name)).toEqual(['User', 'Group'])
    const user = await scim(tenant, '/ResourceTypes/User')
    expect(user.json).toMatchObject({
      name: 'User',
      endpoint: '/Users',
      schema: USER,
      schemaExtensions: [{ schema: ENTERPRISE, required: false }],
    })
  })

  it('answers an unknown schema URN or resource type with a SCIM 404', async ({ expect }) => {
    const tenant = await createTenant()
    for (const path of ['/Schemas/urn:nope', '/ResourceTypes/Nope']) {
      const res = await scim(tenant, path)
      expect(res.status).toBe(404)
      expect(res.json.schemas).toEqual([ERROR])
    }
  })

  it.for(['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'])(
    "answers Okta's junk POST to %s with 405 before reading the body",
    async (path, { expect }) => {
      const tenant = await createTenant()
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await scim(tenant, path, {
          method,
          body: 'test',
          headers: { 'content-type': 'application/scim+json' },
        })
        expect(res.status).toBe(405)
        expect(res.headers.get('allow')).toBe('GET, HEAD')
        expect(res.json.schemas).toEqual([ERROR])
      }
    },
  )

  it('answers a filter with 403 and ignores the other query parameters', async ({ expect }) => {
    const tenant = await createTenant()
    const filter = `filter=${encodeURIComponent('id eq "User"')}`
    for (const path of [
      '/ServiceProviderConfig',
      '/Schemas',
      `/Schemas/${USER}`,
      '/ResourceTypes',
      '/ResourceTypes/User',
    ]) {
      // RFC 7644 §4: so that no client takes the answer for the filter's matches.
      const filtered = await scim(tenant, `${path}?${filter}`)
      expect(filtered.status, path).toBe(403)
      expect(filtered.json).toMatchObject({ schemas: [ERROR], status: '403' })
      expect((await scim(tenant, `${path}?sortBy=id&count=1&startIndex=2`)).status, path).toBe(200)
    }
    expect((await scim(tenant, '/ResourceTypes?count=1')).json.totalResults).toBe(2)
  })

  it('requires the tenant token', async ({ expect }) => {
    const tenant = await createTenant()
    expect((await scim(tenant, '/ServiceProviderConfig', { token: null })).status).toBe(401)
  })
})
