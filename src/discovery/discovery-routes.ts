import type { Hono, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { methodNotAllowed } from '../http/error-handler'
import { ScimError } from '../http/scim-error'
import { scimJson } from '../http/scim-response'
import { serviceProviderFeatures } from './features'
import { listResponse, renderResourceType, renderSchema, renderServiceProviderConfig } from './render'

const READ_ONLY = methodNotAllowed(['GET'])

/**
 * RFC 7644 §4: query parameters are ignored here, but a `filter` SHOULD get 403, so that no client
 * takes the whole answer for the filter's matches.
 */
const refuseFilter: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.query('filter') !== undefined) {
    throw new ScimError(403, 'Discovery endpoints cannot be filtered: request them without a filter')
  }
  return next()
}

/**
 * The discovery endpoints of RFC 7644 §4, rendered from the tenant's schema registry and from the
 * settings that implement each feature. They need the tenant's token like every other endpoint:
 * answering without it would reveal which tenants exist. Writes get 405 before any body is read.
 */
export function registerDiscoveryRoutes(scim: Hono<AppEnv>) {
  for (const path of [
    '/ServiceProviderConfig',
    '/Schemas',
    '/Schemas/*',
    '/ResourceTypes',
    '/ResourceTypes/*',
  ]) {
    scim.get(path, refuseFilter)
  }
  scim.get('/ServiceProviderConfig', (c) =>
    scimJson(c, renderServiceProviderConfig(serviceProviderFeatures(c.env), c.var.tenant.baseUrl)),
  )
  scim.all('/ServiceProviderConfig', READ_ONLY)

  scim.get('/Schemas', (c) => {
    const { registry, baseUrl } = c.var.tenant
    return scimJson(c, listResponse(registry.schemas.map((s) => renderSchema(s, baseUrl))))
  })
  scim.get('/Schemas/:urn', (c) => {
    const { registry, baseUrl } = c.var.tenant
    const schema = registry.schema(c.req.param('urn'))
    if (!schema) throw ScimError.notFound(`No schema ${c.req.param('urn')}`)
    return scimJson(c, renderSchema(schema, baseUrl))
  })
  scim.all('/Schemas', READ_ONLY)
  scim.all('/Schemas/:urn', READ_ONLY)

  scim.get('/ResourceTypes', (c) => {
    const { registry, baseUrl } = c.var.tenant
    return scimJson(c, listResponse(registry.resourceTypes.map((rt) => renderResourceType(rt, baseUrl))))
  })
  scim.get('/ResourceTypes/:name', (c) => {
    const { registry, baseUrl } = c.var.tenant
    const resourceType = registry.resourceType(c.req.param('name'))
    if (!resourceType) throw ScimError.notFound(`No resource type ${c.req.param('name')}`)
    return scimJson(c, renderResourceType(resourceType, baseUrl))
  })
  scim.all('/ResourceTypes', READ_ONLY)
  scim.all('/ResourceTypes/:name', READ_ONLY)
}
