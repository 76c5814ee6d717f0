import { Hono } from 'hono'
import { registerDiscoveryRoutes } from '../discovery/discovery-routes'
import type { AppEnv } from '../env'
import { methodNotAllowed } from '../http/error-handler'
import { scimJson } from '../http/scim-response'
import { LIST_RESPONSE } from '../schema/urns'
import { registerBulkRoutes } from './bulk/bulk-routes'
import { registerMeRoutes } from './me-routes'
import { registerResourceRoutes } from './resource-routes'

/** The SCIM endpoints of RFC 7644 §3.2, mounted at `/scim/v2`. */
export function scimRoutes() {
  const scim = new Hono<AppEnv>({ strict: false })
  scim.get('/Users', (c) =>
    scimJson(c, { schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] }),
  )
  registerDiscoveryRoutes(scim)
  registerBulkRoutes(scim)
  registerMeRoutes(scim)
  registerResourceRoutes(scim, 'User')
  registerResourceRoutes(scim, 'Group')
  return scim
}
