import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import {
  createSetupLink,
  DEFAULT_LINK_HOURS,
  listSetupLinks,
  revokeSetupLink,
  SESSION_SECONDS,
  setupLinkInputSchema,
} from '../control/setup-links'
import type { AdminEnv } from './admin-env'
import { TenantParams } from './api-schemas'
import {
  commonProblems,
  idempotencyHeaders,
  jsonAnswer,
  jsonBody,
  problemAnswer,
  SECURITY,
  tenantProblems,
} from './route-kit'
import { scimBaseUrl } from './tenant-view'

/** The link an IT admin opens: on the tenant's own host, the secret in the path. */
export function setupUrl(name: string, requestUrl: string, env: Pick<Env, 'BASE_DOMAIN'>, secret: string) {
  return scimBaseUrl(name, requestUrl, env).replace(/\/scim\/v2$/, `/setup/${secret}`)
}

const SetupLinkSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    redeemedAt: z.string().optional(),
    revokedAt: z.string().optional(),
    createdBy: z.string().optional(),
    state: z.enum(['active', 'redeemed', 'expired', 'revoked']),
  })
  .openapi('SetupLink')

const LINK = {
  id: 'sl_1a2b3c4d5e6f7a8b',
  tenant: 'acme',
  createdAt: '2026-05-14T09:00:00.000Z',
  expiresAt: '2026-05-17T09:00:00.000Z',
  createdBy: 'key_0123456789abcdef',
  state: 'active' as const,
}
const LINKS = '/admin/v1/tenants/acme/setup-links'

const createLinkRoute = createRoute({
  method: 'post',
  path: '/tenants/{name}/setup-links',
  summary: 'Issue a setup link',
  description: `A link for the tenant's IT admin to the setup page, where they choose their identity provider, get the SCIM base URL and a token, and watch the first requests arrive. The link is a write credential for the tenant's directory: send it only to that admin. It opens once (the first POST from its page; a GET, as mail scanners send, never uses it up), expires after expiresInHours (default ${DEFAULT_LINK_HOURS}) and can be revoked. The page it opens stays open ${SESSION_SECONDS / 60} minutes. The secret is shown only in this answer.`,
  security: SECURITY,
  request: {
    params: TenantParams,
    headers: idempotencyHeaders,
    ...jsonBody(setupLinkInputSchema.openapi('SetupLinkCreate'), { expiresInHours: 72 }, false),
  },
  responses: {
    201: jsonAnswer(
      SetupLinkSchema.extend({ url: z.string() }),
      {
        ...LINK,
        url: 'https://acme.scim.example.com/setup/scimsl_5Xb1mQ8r0yJ3kZ7nV4pW9tE6uH5sA0cD1fG2hK3lM4n',
      },
      'The link, shown only this once',
    ),
    ...tenantProblems(LINKS),
  },
})

const listLinksRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}/setup-links',
  summary: 'List setup links',
  description: 'The latest 100 links of the tenant and their state; never a secret.',
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    200: jsonAnswer(z.object({ setupLinks: z.array(SetupLinkSchema) }), { setupLinks: [LINK] }, 'The links'),
    ...tenantProblems(LINKS),
  },
})

const revokeLinkRoute = createRoute({
  method: 'delete',
  path: '/tenants/{name}/setup-links/{linkId}',
  summary: 'Revoke a setup link',
  description: 'The link stops opening the page, and a page it opened stops working, at once.',
  security: SECURITY,
  request: {
    params: TenantParams.extend({
      linkId: z
        .string()
        .regex(/^sl_[0-9a-f]{16}$/)
        .openapi({ param: { name: 'linkId', in: 'path' }, example: LINK.id }),
    }),
  },
  responses: {
    200: jsonAnswer(
      SetupLinkSchema,
      { ...LINK, revokedAt: '2026-05-14T10:00:00.000Z', state: 'revoked' },
      'The link, revoked',
    ),
    ...commonProblems(`${LINKS}/${LINK.id}`),
    404: problemAnswer(404, 'Not Found', `Tenant acme has no setup link ${LINK.id}`, `${LINKS}/${LINK.id}`),
  },
})

export const setupLinkRouteDefinitions = [createLinkRoute, listLinksRoute, revokeLinkRoute]

export function setupLinkRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(createLinkRoute, async (c) => {
    const { name } = c.req.valid('param')
    const { secret, link } = await createSetupLink(
      c.var.ports,
      name,
      c.req.valid('json') ?? {},
      c.var.operatorKeyId,
    )
    return c.json({ ...link, url: setupUrl(name, c.req.url, c.env, secret) }, 201)
  })

  app.openapi(listLinksRoute, async (c) =>
    c.json({ setupLinks: await listSetupLinks(c.var.ports, c.req.valid('param').name) }, 200),
  )

  app.openapi(revokeLinkRoute, async (c) => {
    const { name, linkId } = c.req.valid('param')
    return c.json(await revokeSetupLink(c.var.ports, name, linkId), 200)
  })
}
