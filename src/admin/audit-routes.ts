import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { tenantNameSchema } from '../control/rules'
import type { AdminEnv } from './admin-env'
import { AuditListSchema } from './api-schemas'
import { readAudit } from './audit'
import { commonProblems, jsonAnswer, SECURITY } from './route-kit'

const auditRoute = createRoute({
  method: 'get',
  path: '/audit',
  summary: 'Read the audit log',
  description:
    'Every change asked of this API, newest first: operator key id, method, path, tenant, status. Never a secret.',
  security: SECURITY,
  request: {
    query: z.object({
      tenant: tenantNameSchema.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z
        .string()
        .regex(/^\d{1,15}$/)
        .optional()
        .openapi({ description: 'nextCursor of the previous page' }),
    }),
  },
  responses: {
    200: jsonAnswer(
      AuditListSchema,
      {
        entries: [
          {
            seq: 42,
            at: '2026-05-14T09:00:01.000Z',
            keyId: 'key_9f8e7d6c5b4a3f2e',
            method: 'POST',
            path: '/admin/v1/tenants/acme/tokens',
            tenant: 'acme',
            status: 201,
            requestId: '8c1f0e2d3b4a5c6d',
          },
        ],
        nextCursor: null,
      },
      'A page of entries',
    ),
    ...commonProblems('/admin/v1/audit'),
  },
})

export const auditRouteDefinitions = [auditRoute]

export function auditRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(auditRoute, async (c) => {
    const { tenant, limit, cursor } = c.req.valid('query')
    const entries = await readAudit(c.var.ports, {
      tenant,
      before: cursor ? Number(cursor) : undefined,
      limit: limit + 1,
    })
    const page = entries.slice(0, limit)
    return c.json(
      { entries: page, nextCursor: entries.length > limit ? String(page.at(-1)?.seq) : null },
      200,
    )
  })
}
