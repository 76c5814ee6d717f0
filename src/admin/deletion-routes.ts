import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { beginDeletion, findDeletion } from '../deletion/deletions'
import { REVOCATION_DELAY_SECONDS } from '../tenancy/revocation-delay'
import type { AdminEnv } from './admin-env'
import { DELAY, TenantParams } from './api-schemas'
import { DELETION_EXAMPLE, DeletionSchema, deletionView, ensureRunning } from './deletion-view'
import { Problem } from './problem'
import { commonProblems, jsonAnswer, problemAnswer, SECURITY, tenantProblems } from './route-kit'

const deleteTenantRoute = createRoute({
  method: 'delete',
  path: '/tenants/{name}',
  summary: 'Delete a tenant and all its data',
  description: `Starts the deletion and answers 202 at once with its handle (\`id\`, and \`Location\` to follow it). The tenant's SCIM endpoint answers 401 at once, ${DELAY}; its status becomes \`deleting\` and GET /tenants/{name} shows the progress. A Cloudflare Workflow deletes its rows in rounds of TENANT_DELETION_ROUND_ROWS rows per table (durable steps: a restart resumes it), and runs the final round only after the revocation delay (${REVOCATION_DELAY_SECONDS} s) has passed, so that no request still holding the cached tenant record in another location leaves rows behind; then removes the tenant and its tokens. Another DELETE while it runs answers the same handle (and restarts the Workflow if it failed). No Idempotency-Key needed: the deletion is idempotent by itself.`,
  security: SECURITY,
  request: { params: TenantParams },
  responses: {
    202: jsonAnswer(
      DeletionSchema,
      { ...DELETION_EXAMPLE, state: 'queued', rounds: 0, rowsDeleted: 0, rowsLeft: null, lastRoundAt: null },
      'The deletion, begun now or already running',
    ),
    ...tenantProblems('/admin/v1/tenants/acme'),
  },
})

const getDeletionRoute = createRoute({
  method: 'get',
  path: '/deletions/{id}',
  summary: 'Follow a tenant deletion',
  description:
    'Rounds done, rows deleted and left, and the state of the Workflow instance; kept after the tenant is gone.',
  security: SECURITY,
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^del_[0-9a-f]{16}$/, 'a deletion id is del_ followed by 16 hex digits')
        .openapi({ param: { name: 'id', in: 'path' }, example: DELETION_EXAMPLE.id }),
    }),
  },
  responses: {
    200: jsonAnswer(DeletionSchema, DELETION_EXAMPLE, 'The deletion'),
    ...commonProblems(DELETION_EXAMPLE.location),
    404: problemAnswer(
      404,
      'Not Found',
      `There is no deletion ${DELETION_EXAMPLE.id}`,
      DELETION_EXAMPLE.location,
    ),
  },
})

export const deletionRouteDefinitions = [deleteTenantRoute, getDeletionRoute]

export function deletionRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(deleteTenantRoute, async (c) => {
    const { deletion } = await beginDeletion(c.var.ports, c.req.valid('param').name, REVOCATION_DELAY_SECONDS)
    await ensureRunning(c.env.TENANT_DELETION, deletion.id)
    const view = await deletionView(c.env.TENANT_DELETION, deletion)
    return c.json(view, 202, { Location: view.location })
  })

  app.openapi(getDeletionRoute, async (c) => {
    const { id } = c.req.valid('param')
    const deletion = await findDeletion(c.var.ports, id)
    if (!deletion) throw new Problem(404, `There is no deletion ${id}`)
    return c.json(await deletionView(c.env.TENANT_DELETION, deletion), 200)
  })
}
