import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { ADMIN_BASE_PATH, adminApp } from './admin/admin-app'
import type { AppEnv } from './env'
import { routingPath } from './http/endpoint-path'
import { handleError, handleNotFound } from './http/error-handler'
import { noStore, requestIdOf, requestLog } from './http/request-log'
import { ScimError } from './http/scim-error'
import { deliverAfterWrite } from './ops/deliver-after-write'
import { health } from './ops/health'
import { scimRoutes } from './resources/routes'
import { setupApp } from './setup/setup-app'
import { tenancy } from './tenancy/tenancy'

/** Largest accepted request body outside /Bulk (which has its own, advertised limit). */
export const MAX_BODY_BYTES = 1024 * 1024

const BULK_PATH = /^\/scim\/v2\/Bulk\/?$/

/** Builds the Worker's Hono app: middleware order, error handling, and the SCIM mount. */
export function createApp() {
  // Every later step sees the canonical path: `/users/` routes like `/Users` (endpoint-path.ts).
  const app = new Hono<AppEnv>({ getPath: routingPath })
  app.use(
    // `headerName: ''`: the id is Cloudflare's `cf-ray`, never one the client sends in X-Request-Id.
    requestId({ headerName: '', generator: (c) => requestIdOf(c.req.header('cf-ray')) }),
    // Only once the request is authenticated: timings would tell a caller without a token how far
    // its request got (token lookup, tenant record).
    timing({ totalDescription: 'total', enabled: (c) => c.get('tenant') !== undefined }),
    requestLog,
    secureHeaders(),
  )
  app.onError(handleError)
  app.notFound(handleNotFound)

  const generalBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ScimError(413, `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes`)
    },
  })
  // Outside tenancy: answered on the bare base domain only.
  app.get('/healthz', health)
  app.use(
    '/scim/v2/*',
    noStore,
    tenancy,
    deliverAfterWrite,
    // /Bulk applies its own limit, the `maxPayloadSize` it advertises (bulk-routes.ts).
    (c, next) => (BULK_PATH.test(c.req.path) ? next() : generalBodyLimit(c, next)),
  )
  app.route('/scim/v2', scimRoutes())
  // The IT admin's setup page, on a tenant's host, opened by a setup link (src/setup/).
  app.route('/setup', setupApp())
  // The management API: on the bare base domain only, with its own problem+json errors.
  app.route(ADMIN_BASE_PATH, adminApp())
  return app
}
