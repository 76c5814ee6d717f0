import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { FLUSH_INTERVAL_MS, MAX_ITEMIZED_FAILURES } from '../activity/activity-batch'
import { MAX_FAILURES_PER_TENANT } from '../activity/consumer'
import { readActivity } from '../activity/reads'
import { ACTIVITY_RETENTION_DAYS } from '../activity/retention'
import { requireTenant } from '../control/tenants'
import type { AdminEnv } from './admin-env'
import { LastScimRequestSchema, TenantParams } from './api-schemas'
import { jsonAnswer, SECURITY, tenantProblems } from './route-kit'

const UsageSchema = z.object({
  client: z.string(),
  method: z.string(),
  endpoint: z.string().openapi({ description: 'The route pattern, e.g. /scim/v2/Users/:id' }),
  status: z.number().int(),
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
})

const FailureSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  status: z.number().int(),
  scimType: z.string().optional(),
  detail: z.string().optional(),
  method: z.string(),
  endpoint: z.string(),
  resourceId: z.string().optional(),
  client: z.string(),
  requestId: z.string().optional(),
  tokenId: z.string().optional(),
  explanation: z.string(),
  action: z.string(),
})

const DisabledWebhookSchema = z
  .object({
    host: z.string().openapi({ description: "The endpoint URL's host (the path is not shown)" }),
    disabledAt: z.string().nullable().openapi({ description: 'The time of the attempt that disabled it' }),
    reason: z.string(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
  })
  .openapi('DisabledWebhook', {
    description: 'A webhook endpoint covering the tenant that the delivery disabled after failing too often',
  })

const ActivitySchema = z
  .object({
    tenant: z.string(),
    lastRequest: LastScimRequestSchema.optional(),
    usage: z.array(UsageSchema),
    failures: z.array(FailureSchema),
    unitemizedFailures: z.number().int(),
    disabledWebhooks: z.array(DisabledWebhookSchema),
  })
  .openapi('Activity')

const EXAMPLE = {
  tenant: 'acme',
  lastRequest: { at: '2026-05-14T12:04:10.000Z', client: 'Okta SCIM Client 1.0.0', status: 409 },
  usage: [
    {
      client: 'Okta SCIM Client 1.0.0',
      method: 'GET',
      endpoint: '/scim/v2/Users',
      status: 200,
      count: 3,
      firstAt: '2026-05-14T12:03:00.000Z',
      lastAt: '2026-05-14T12:04:00.000Z',
    },
  ],
  failures: [
    {
      seq: 7,
      at: '2026-05-14T12:04:10.000Z',
      status: 409,
      scimType: 'uniqueness',
      detail: 'userName is already in use in this tenant',
      method: 'POST',
      endpoint: '/scim/v2/Users',
      client: 'Okta SCIM Client 1.0.0',
      requestId: '8f2a6c1d9e3b4a70',
      tokenId: 'tok_1a2b3c4d5e6f7a8b',
      explanation:
        'A user with this userName already exists here (userNames are compared ignoring letter case).',
      action: 'Link the existing user instead of creating it, or fix the duplicate.',
    },
  ],
  unitemizedFailures: 0,
  disabledWebhooks: [
    {
      host: 'app.example.org',
      disabledAt: '2026-05-14T11:58:02.000Z',
      reason:
        'every attempt failed since 2026-05-13T11:40:00.000Z, 100 in a row, the last at 2026-05-14T11:58:02.000Z',
      lastStatus: 503,
      lastError: 'HTTP 503',
    },
  ],
}

const activityRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}/activity',
  summary: 'SCIM activity',
  description: `The tenant's SCIM requests: counts per client (User-Agent), method, endpoint pattern and status, and the failed requests with their SCIM error and what it means. Each Worker isolate aggregates and writes at most every ${FLUSH_INTERVAL_MS / 1000} s per tenant, so the log lags by up to that much; past ${MAX_ITEMIZED_FAILURES} failures per isolate and interval, failures are counted (unitemizedFailures) but not itemized; disabledWebhooks lists the webhook endpoints covering the tenant that the delivery disabled (host only), as the setup page shows them. Kept ${ACTIVITY_RETENTION_DAYS} days, at most ${MAX_FAILURES_PER_TENANT} failures. Never a token or an attribute value.`,
  security: SECURITY,
  request: {
    params: TenantParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
    }),
  },
  responses: {
    200: jsonAnswer(ActivitySchema, EXAMPLE, 'The activity'),
    ...tenantProblems('/admin/v1/tenants/acme/activity'),
  },
})

export const activityRouteDefinitions = [activityRoute]

export function activityRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(activityRoute, async (c) => {
    const row = await requireTenant(c.var.ports, c.req.valid('param').name)
    const activity = await readActivity(c.var.ports, row.name, { limit: c.req.valid('query').limit })
    return c.json(activity, 200)
  })
}
