import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { every, except } from 'hono/combine'
import { problemsOf } from '../control/rules'
import { REVOCATION_DELAY_SECONDS } from '../tenancy/revocation-delay'
import { activityRouteDefinitions, activityRoutes } from './activity-routes'
import type { AdminEnv } from './admin-env'
import { audit } from './audit'
import { auditRouteDefinitions, auditRoutes } from './audit-routes'
import { connectionRouteDefinitions, connectionRoutes } from './connection-routes'
import { deadLetterRouteDefinitions, deadLetterRoutes } from './dead-letter-routes'
import { deletionRouteDefinitions, deletionRoutes } from './deletion-routes'
import { eventRouteDefinitions, eventRoutes } from './event-routes'
import { idempotency } from './idempotency'
import { baseHostOnly, operatorAuth } from './operator-auth'
import { handleAdminError, Problem, problemResponse } from './problem'
import { schemaRouteDefinitions, schemaRoutes } from './schema-routes'
import { setupLinkRouteDefinitions, setupLinkRoutes } from './setup-link-routes'
import { tenantRouteDefinitions, tenantRoutes } from './tenant-routes'
import { tokenRouteDefinitions, tokenRoutes } from './token-routes'
import { webhookRouteDefinitions, webhookRoutes } from './webhook-routes'

/** Where the management API is mounted; its OpenAPI document lists paths below it. */
export const ADMIN_BASE_PATH = '/admin/v1'
const OPENAPI_PATH = '/openapi.json'
// Schemas are the largest bodies (DECLARATION_LIMITS.bytes is 32 KiB for all of a tenant's).
const MAX_BODY_BYTES = 64 * 1024

/** Every operation, for the test that checks the document lists each and each example is valid. */
export const ADMIN_ROUTES = [
  ...tenantRouteDefinitions,
  ...tokenRouteDefinitions,
  ...schemaRouteDefinitions,
  ...connectionRouteDefinitions,
  ...auditRouteDefinitions,
  ...setupLinkRouteDefinitions,
  ...activityRouteDefinitions,
  ...eventRouteDefinitions,
  ...deletionRouteDefinitions,
  ...webhookRouteDefinitions,
  ...deadLetterRouteDefinitions,
]

const DESCRIPTION = `Creates, suspends, resumes and deletes SCIM tenants, reads their change feeds, issues, rotates and revokes their bearer tokens, declares their extension schemas and gives the connection details for identity providers. Authenticate with an operator key (\`npm run admin -- key create\`): \`Authorization: Bearer scimop_…\`. Errors are RFC 9457 application/problem+json. A revoked token, a suspended tenant or a removed schema stops working within ${REVOCATION_DELAY_SECONDS} seconds in every Cloudflare location (the revocation delay); new tokens work within the same delay.`

/** Operator key, audit and idempotency for every operation; the OpenAPI document is public. */
const authenticated = except(
  (c) => c.req.path === `${ADMIN_BASE_PATH}${OPENAPI_PATH}`,
  every(operatorAuth, audit, idempotency),
)

/** The management API, answered only on the bare base domain (localhost where local tenants are allowed). */
export function adminApp() {
  const app = new OpenAPIHono<AdminEnv>({
    strict: false,
    defaultHook: (result, c) => {
      if (!result.success)
        return problemResponse(c, new Problem(400, 'The request is not valid', problemsOf(result.error)))
    },
  })
  app.onError(handleAdminError)
  app.use(
    baseHostOnly,
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new Problem(413, `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes`)
      },
    }),
    authenticated,
  )
  app.openAPIRegistry.registerComponent('securitySchemes', 'operatorKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator key, scimop_ followed by 43 characters',
  })
  tenantRoutes(app)
  tokenRoutes(app)
  schemaRoutes(app)
  connectionRoutes(app)
  auditRoutes(app)
  setupLinkRoutes(app)
  activityRoutes(app)
  eventRoutes(app)
  deletionRoutes(app)
  deadLetterRoutes(app)
  webhookRoutes(app)
  app.doc31(OPENAPI_PATH, (c) => ({
    openapi: '3.1.0',
    info: { title: 'Edge SCIM management API', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: `${new URL(c.req.url).origin}${ADMIN_BASE_PATH}` }],
  }))
  app.all('*', (c) => problemResponse(c, new Problem(404, `No endpoint at ${c.req.method} ${c.req.path}`)))
  return app
}
