import { describe, expect, it } from 'vitest'
import { canonicalEndpoints } from '../../src/http/endpoint-path'
import { localTenantPath } from '../../src/tenancy/local-tenant-path'

describe('canonicalEndpoints', () => {
  it.each([
    ['/scim/v2/users', '/scim/v2/Users'],
    ['/scim/v2/GROUPS/abc-DEF', '/scim/v2/Groups/abc-DEF'],
    ['/scim/v2/users/.SEARCH', '/scim/v2/Users/.search'],
    ['/scim/v2/.Search', '/scim/v2/.search'],
    ['/scim/v2/bulk', '/scim/v2/Bulk'],
    ['/scim/v2/me/x', '/scim/v2/Me/x'],
    ['/scim/v2/serviceproviderconfig', '/scim/v2/ServiceProviderConfig'],
    [
      '/scim/v2/schemas/urn:ietf:params:scim:schemas:core:2.0:User',
      '/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User',
    ],
    ['/scim/v2/resourcetypes/User', '/scim/v2/ResourceTypes/User'],
    // ids are never rewritten, not even one spelled ".search" below another endpoint
    ['/scim/v2/Schemas/.SEARCH', '/scim/v2/Schemas/.SEARCH'],
    ['/scim/v2/serviceConfiguration', '/scim/v2/serviceConfiguration'],
    ['/scim/v2', '/scim/v2'],
    ['/healthz', '/healthz'],
    ['/SCIM/V2/users', '/SCIM/V2/users'],
  ])('%s → %s', (path, expected) => {
    expect(canonicalEndpoints(path)).toBe(expected)
  })
})

describe('localTenantPath', () => {
  const local = { ALLOW_LOCALHOST_TENANTS: 'true' } as Env
  const production = { ALLOW_LOCALHOST_TENANTS: 'false' } as Env

  it('reads /tenants/<name> before /scim/v2 on a bare loopback host', () => {
    for (const host of ['localhost:8787', '127.0.0.1', '[::1]:8787', 'LOCALHOST']) {
      expect(localTenantPath('/tenants/Acme/scim/v2/Users', host, local)).toEqual({
        tenant: 'acme',
        prefix: '/tenants/acme',
        path: '/scim/v2/Users',
      })
    }
  })

  it.each([
    ['in production', '/tenants/acme/scim/v2/Users', 'localhost:8787', production],
    ["on a tenant's host", '/tenants/acme/scim/v2/Users', 'other.localhost:8787', local],
    ['on the base domain', '/tenants/acme/scim/v2/Users', 'scim.example.com', local],
    ['with an invalid name', '/tenants/-acme/scim/v2/Users', 'localhost', local],
    ['without /scim/v2 after it', '/tenants/acme/Users', 'localhost', local],
    ['with /scim/v2x after it', '/tenants/acme/scim/v2x', 'localhost', local],
  ])('is not read %s', (_, path, host, env) => {
    expect(localTenantPath(path, host, env)).toBeUndefined()
  })
})
