import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { issueToken, listTokens, revokeTokens, rotateToken } from '../control/tokens'
import type { AdminEnv } from './admin-env'
import {
  DELAY,
  IssuedTokenSchema,
  RevokedSchema,
  RotatedTokenSchema,
  RotationSchema,
  TenantParams,
  TokenIssueSchema,
  TokenMetadataSchema,
} from './api-schemas'
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

const TOKEN = 'scimsk_2Xb1mQ8r0yJ3kZ7nV4pW9tE6uH5sA0cD1fG2hK3lM4n'
const METADATA = {
  id: 'tok_1a2b3c4d5e6f7a8b',
  label: 'okta',
  createdAt: '2026-05-14T09:00:00.000Z',
  expired: false,
}
const ISSUED = {
  tenant: 'acme',
  token: TOKEN,
  tokenId: METADATA.id,
  metadata: METADATA,
  scimBaseUrl: 'https://acme.scim.example.com/scim/v2',
}
const TOKENS = '/admin/v1/tenants/acme/tokens'

const issueRoute = createRoute({
  method: 'post',
  path: '/tenants/{name}/tokens',
  summary: 'Issue a token',
  description:
    'Issues one more bearer token for SCIM (shown only in this answer; stored as a SHA-256 hash). The body may be {}. It works within seconds where it was issued and everywhere within the revocation delay.',
  security: SECURITY,
  request: {
    params: TenantParams,
    headers: idempotencyHeaders,
    ...jsonBody(TokenIssueSchema, { label: 'okta', expiresInSeconds: 31_536_000 }, false),
  },
  responses: {
    201: jsonAnswer(IssuedTokenSchema, ISSUED, 'The token, shown only this once'),
    ...tenantProblems(TOKENS),
    409: problemAnswer(
      409,
      'Conflict',
      'Tenant acme already holds 20 tokens; revoke one before issuing another',
      TOKENS,
    ),
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}/tokens',
  summary: 'List tokens',
  description: 'Token metadata only: never a token or its hash.',
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    200: jsonAnswer(z.object({ tokens: z.array(TokenMetadataSchema) }), { tokens: [METADATA] }, 'The tokens'),
    ...tenantProblems(TOKENS),
  },
})

const revokeAllRoute = createRoute({
  method: 'delete',
  path: '/tenants/{name}/tokens',
  summary: 'Revoke every token',
  description: `Every token of the tenant stops working ${DELAY}.`,
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    200: jsonAnswer(RevokedSchema, { tenant: 'acme', revoked: [METADATA.id] }, 'The ids revoked'),
    ...tenantProblems(TOKENS),
  },
})

const revokeOneRoute = createRoute({
  method: 'delete',
  path: '/tenants/{name}/tokens/{tokenId}',
  summary: 'Revoke a token',
  description: `The token stops working ${DELAY}.`,
  security: SECURITY,
  request: {
    params: TenantParams.extend({
      tokenId: z
        .string()
        .regex(/^tok_[0-9a-f]{16}$/)
        .openapi({ param: { name: 'tokenId', in: 'path' }, example: METADATA.id }),
    }),
  },
  responses: {
    200: jsonAnswer(RevokedSchema, { tenant: 'acme', revoked: [METADATA.id] }, 'The id revoked'),
    ...commonProblems(`${TOKENS}/${METADATA.id}`),
    404: problemAnswer(
      404,
      'Not Found',
      `Tenant acme has no token ${METADATA.id}`,
      `${TOKENS}/${METADATA.id}`,
    ),
  },
})

const rotateRoute = createRoute({
  method: 'post',
  path: '/tenants/{name}/tokens/rotate',
  summary: 'Rotate the token',
  description: `Issues a new token; the tenant's other live tokens keep working for graceSeconds (0, the default: they are revoked now and stop ${DELAY}), so two work while the identity provider is updated.`,
  security: SECURITY,
  request: {
    params: TenantParams,
    headers: idempotencyHeaders,
    ...jsonBody(RotationSchema, { graceSeconds: 3600, label: 'okta-2026' }, false),
  },
  responses: {
    201: jsonAnswer(
      RotatedTokenSchema,
      {
        ...ISSUED,
        kept: [{ id: 'tok_0f9e8d7c6b5a4f3e', expiresAt: '2026-05-14T10:00:00.000Z' }],
        removed: [],
      },
      'The new token (shown only this once) and what became of the others',
    ),
    ...tenantProblems(`${TOKENS}/rotate`),
  },
})

export const tokenRouteDefinitions = [issueRoute, listRoute, revokeAllRoute, revokeOneRoute, rotateRoute]

export function tokenRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(issueRoute, async (c) => {
    const { name } = c.req.valid('param')
    const issued = await issueToken(c.var.ports, name, c.req.valid('json') ?? {})
    return c.json({ ...issued, scimBaseUrl: scimBaseUrl(name, c.req.url, c.env) }, 201)
  })

  app.openapi(listRoute, async (c) =>
    c.json({ tokens: await listTokens(c.var.ports, c.req.valid('param').name) }, 200),
  )

  app.openapi(revokeAllRoute, async (c) => {
    const { name } = c.req.valid('param')
    return c.json({ tenant: name, revoked: await revokeTokens(c.var.ports, name) }, 200)
  })

  app.openapi(revokeOneRoute, async (c) => {
    const { name, tokenId } = c.req.valid('param')
    return c.json({ tenant: name, revoked: await revokeTokens(c.var.ports, name, tokenId) }, 200)
  })

  app.openapi(rotateRoute, async (c) => {
    const { name } = c.req.valid('param')
    const rotated = await rotateToken(c.var.ports, name, c.req.valid('json') ?? {})
    return c.json({ ...rotated, scimBaseUrl: scimBaseUrl(name, c.req.url, c.env) }, 201)
  })
}
