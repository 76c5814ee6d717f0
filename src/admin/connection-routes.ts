import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { requireTenant } from '../control/tenants'
import { REVOCATION_DELAY_SECONDS } from '../tenancy/revocation-delay'
import type { AdminEnv } from './admin-env'
import { ConnectionSchema, TenantParams } from './api-schemas'
import { jsonAnswer, SECURITY, tenantProblems } from './route-kit'
import { scimBaseUrl } from './tenant-view'

const TOKEN_FORMAT = 'scimsk_ followed by 43 base64url characters (POST /admin/v1/tenants/{name}/tokens)'

/** What each identity provider asks for, in its own words (docs/okta.md, docs/entra-id.md). */
export function connectionDetails(tenant: string, baseUrl: string) {
  return {
    tenant,
    scimBaseUrl: baseUrl,
    authentication: {
      scheme: 'Bearer' as const,
      header: 'Authorization: Bearer <token>',
      tokenFormat: TOKEN_FORMAT,
    },
    revocationDelaySeconds: REVOCATION_DELAY_SECONDS,
    identityProviders: {
      okta: {
        fields: {
          'SCIM connector base URL': baseUrl,
          'Unique identifier field for users': 'userName',
          'Authentication Mode': 'HTTP Header',
          Authorization: '<token>',
        },
        notes: [
          'Provisioning needs a SAML 2.0 or SWA app integration made with the App Integration Wizard.',
          'Supported provisioning actions: Push New Users, Push Profile Updates, Push Groups, Import New Users and Profile Updates.',
        ],
      },
      entra: {
        fields: { 'Tenant URL': baseUrl, 'Secret Token': '<token>' },
        notes: [
          'Enterprise application (non-gallery), Provisioning Mode: Automatic.',
          'Issue the token without an expiry: Entra quarantines the job when its token stops working.',
        ],
      },
      other: {
        fields: { 'SCIM base URL': baseUrl, Authentication: 'Bearer token', Token: '<token>' },
        notes: ['SCIM 2.0 (RFC 7643, RFC 7644); see /scim/v2/ServiceProviderConfig.'],
      },
    },
  }
}

const EXAMPLE_URL = 'https://acme.scim.example.com/scim/v2'

const connectionRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}/connection',
  summary: 'SCIM connection details',
  description:
    "The SCIM base URL, the auth scheme and what each identity provider's form needs; the token itself comes from issuing one.",
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    200: jsonAnswer(ConnectionSchema, connectionDetails('acme', EXAMPLE_URL), 'The connection details'),
    ...tenantProblems('/admin/v1/tenants/acme/connection'),
  },
})

export const connectionRouteDefinitions = [connectionRoute]

export function connectionRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(connectionRoute, async (c) => {
    const row = await requireTenant(c.var.ports, c.req.valid('param').name)
    return c.json(connectionDetails(row.name, scimBaseUrl(row.name, c.req.url, c.env)), 200)
  })
}
