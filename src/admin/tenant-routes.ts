import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { lastRequestOf } from '../activity/reads'
import { TENANT_STATUSES, tenantNameSchema } from '../control/rules'
import { createTenant, listTenants, requireTenant, setTenantStatus } from '../control/tenants'
import { tokensOf } from '../control/tokens'
import type { AdminEnv } from './admin-env'
import {
  DELAY,
  StatusChangeSchema,
  TenantCreateSchema,
  TenantListSchema,
  TenantParams,
  TenantSchema,
} from './api-schemas'
import { deletionOf } from './deletion-view'
import {
  commonProblems,
  idempotencyHeaders,
  jsonAnswer,
  jsonBody,
  problemAnswer,
  SECURITY,
  tenantProblems,
} from './route-kit'
import { resourceCounts, scimBaseUrl, tenantSummary } from './tenant-view'

const ACME = {
  name: 'acme',
  status: 'active',
  db: 'DB',
  label: 'Acme Corp',
  metadata: { customerId: 'cus_1234' },
  createdAt: '2026-05-14T09:00:00.000Z',
  scimBaseUrl: 'https://acme.scim.example.com/scim/v2',
  counts: { users: 0, groups: 0 },
  tokens: [],
  schemas: [],
}
const { counts: _, ...ACME_SUMMARY } = ACME
const MAX_PAGE = 200

const createTenantRoute = createRoute({
  method: 'post',
  path: '/tenants',
  summary: 'Create a tenant',
  description:
    'Creates a tenant on a D1 database; no token is issued (POST /tenants/{name}/tokens does). Its SCIM base URL is https://<name>.<BASE_DOMAIN>/scim/v2.',
  security: SECURITY,
  request: {
    headers: idempotencyHeaders,
    ...jsonBody(TenantCreateSchema, {
      name: 'acme',
      db: 'DB',
      label: 'Acme Corp',
      metadata: { customerId: 'cus_1234' },
    }),
  },
  responses: {
    201: jsonAnswer(TenantSchema, ACME, 'The tenant, created'),
    ...commonProblems('/admin/v1/tenants'),
    409: problemAnswer(409, 'Conflict', 'Tenant acme already exists', '/admin/v1/tenants'),
    422: problemAnswer(
      422,
      'Unprocessable Content',
      'D1 binding DB_9 is not declared in this deployment; declared: DB, DB_2',
      '/admin/v1/tenants',
    ),
  },
})

const listTenantsRoute = createRoute({
  method: 'get',
  path: '/tenants',
  summary: 'List tenants',
  description: 'Tenants by name, a page at a time; pass nextCursor as cursor for the next page.',
  security: SECURITY,
  request: {
    query: z.object({
      status: z.enum(TENANT_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
      cursor: tenantNameSchema.optional().openapi({ description: 'nextCursor of the previous page' }),
    }),
  },
  responses: {
    200: jsonAnswer(TenantListSchema, { tenants: [ACME_SUMMARY], nextCursor: null }, 'A page of tenants'),
    ...commonProblems('/admin/v1/tenants'),
  },
})

const getTenantRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}',
  summary: 'Get a tenant',
  description:
    'Status, database, creation time, counts of users and groups, token metadata, declared schemas and the last SCIM request (time, client, status; aggregated per isolate and written at most every 10 s, so it can lag by that much).',
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    200: jsonAnswer(
      TenantSchema,
      {
        ...ACME,
        counts: { users: 1250, groups: 14 },
        lastScimRequest: { at: '2026-05-14T12:03:00.000Z', client: 'Okta SCIM Client 1.0.0', status: 200 },
      },
      'The tenant',
    ),
    ...tenantProblems('/admin/v1/tenants/acme'),
  },
})

const statusRoute = (action: 'suspend' | 'resume') =>
  createRoute({
    method: 'post',
    path: `/tenants/{name}/${action}`,
    summary: action === 'suspend' ? 'Suspend a tenant' : 'Resume a suspended tenant',
    description:
      action === 'suspend'
        ? `Every SCIM request of the tenant gets 401 ${DELAY}; its data and tokens stay.`
        : `The tenant's tokens work again ${DELAY}.`,
    security: SECURITY,
    request: { params: TenantParams, headers: idempotencyHeaders },
    responses: {
      200: jsonAnswer(
        StatusChangeSchema,
        { name: 'acme', status: action === 'suspend' ? 'suspended' : 'active', changed: true },
        'The status; changed is false when it already had it',
      ),
      ...tenantProblems(`/admin/v1/tenants/acme/${action}`),
    },
  })

export const tenantRouteDefinitions = [
  createTenantRoute,
  listTenantsRoute,
  getTenantRoute,
  statusRoute('suspend'),
  statusRoute('resume'),
]

export function tenantRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(createTenantRoute, async (c) => {
    const { tenant: row } = await createTenant(c.var.ports, c.req.valid('json'))
    const view = tenantSummary(row, [], scimBaseUrl(row.name, c.req.url, c.env))
    return c.json({ ...view, counts: { users: 0, groups: 0 } }, 201, {
      Location: `/admin/v1/tenants/${row.name}`,
    })
  })

  app.openapi(listTenantsRoute, async (c) => {
    const { status, limit, cursor } = c.req.valid('query')
    const rows = await listTenants(c.var.ports, { status, after: cursor, limit: limit + 1 })
    const page = rows.slice(0, limit)
    const tokens = await tokensOf(
      c.var.ports,
      page.map((r) => r.name),
    )
    return c.json(
      {
        tenants: page.map((row) =>
          tenantSummary(row, tokens.get(row.name) ?? [], scimBaseUrl(row.name, c.req.url, c.env)),
        ),
        nextCursor: rows.length > limit ? (page.at(-1)?.name ?? null) : null,
      },
      200,
    )
  })

  app.openapi(getTenantRoute, async (c) => {
    const row = await requireTenant(c.var.ports, c.req.valid('param').name)
    const [tokens, counts, lastScimRequest] = await Promise.all([
      tokensOf(c.var.ports, [row.name]),
      resourceCounts(c.var.ports, row),
      lastRequestOf(c.var.ports, row.name),
    ])
    const view = tenantSummary(row, tokens.get(row.name) ?? [], scimBaseUrl(row.name, c.req.url, c.env))
    const deletion = await deletionOf(c.var.ports, c.env, row)
    return c.json(
      { ...view, counts, lastScimRequest: lastScimRequest ?? null, ...(deletion && { deletion }) },
      200,
    )
  })

  for (const action of ['suspend', 'resume'] as const) {
    app.openapi(statusRoute(action), async (c) => {
      const { name } = c.req.valid('param')
      const status = action === 'suspend' ? 'suspended' : 'active'
      const changed = await setTenantStatus(c.var.ports, name, status)
      return c.json({ name, status, changed }, 200)
    })
  }
}
