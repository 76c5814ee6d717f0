import { Hono } from 'hono'
import { registerDiscoveryRoutes } from '../discovery/discovery-routes'
import type { AppEnv } from '../env'
import { registerBulkRoutes } from './bulk/bulk-routes'
import { registerListRoutes } from './list-routes'
import { registerMeRoutes } from './me-routes'
import { registerResourceRoutes } from './resource-routes'

/** The SCIM endpoints of RFC 7644 §3.2, mounted at `/scim/v2`. */
export function scimRoutes() {
  const scim = new Hono<AppEnv>()
  registerListRoutes(scim)
  registerDiscoveryRoutes(scim)
  registerBulkRoutes(scim)
  registerMeRoutes(scim)
  registerResourceRoutes(scim, 'User')
  registerResourceRoutes(scim, 'Group')
  return scim
}
