import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { requireTenant } from '../control/tenants'
import { FEED_OPERATIONS, FeedError, MAX_FEED_PAGE, readFeed } from '../events/feed'
import { d1Binding, primaryOutbox } from '../ops/d1-bindings'
import type { AdminEnv } from './admin-env'
import { TenantParams } from './api-schemas'
import { closedWhileDeleting } from './deletion-guard'
import { EXPIRED_DETAIL, ExpiredPositionSchema, FEED_EXAMPLE, FeedPageSchema } from './event-schemas'
import { PROBLEM_CONTENT_TYPE, Problem } from './problem'
import { jsonAnswer, problemAnswer, SECURITY, tenantProblems } from './route-kit'

/**
 * The change feed over HTTP: a thin adapter over src/events/feed.ts, which the Directory RPC
 * entrypoint shares, so positions, filters and the expiry rule are the same on both transports.
 */

const INSTANCE = '/admin/v1/tenants/acme/events'
const list = (name: string, values: readonly string[]) =>
  z
    .string()
    .regex(
      new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`),
      `a comma-separated list of ${values.join(', ')}`,
    )
    .optional()
    .openapi({ description: `Only these ${name}, comma-separated: ${values.join(', ')}` })

const FeedQuerySchema = z.object({
  after: z.string().optional().openapi({
    description: 'The `next` of the previous page; omitted, the feed starts at its oldest retained event',
    example: '1042',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_FEED_PAGE)
    .optional()
    .openapi({ description: `Events per page, 1 to ${MAX_FEED_PAGE} (default 100)`, example: 100 }),
  resourceType: list('resource types', ['User', 'Group']),
  operation: list('operations', FEED_OPERATIONS),
})

const feedRoute = createRoute({
  method: 'get',
  path: '/tenants/{name}/events',
  summary: "Read the tenant's change feed",
  description: `The tenant's change events in commit order, a page at a time: pass the page's \`next\` as \`after\` for the next page (also when \`events\` is empty: poll again later when \`hasMore\` is false). Each event's \`token\` is the Security Event Token (RFC 9967) the SCIM_EVENTS queue carries, with the same \`jti\`, so an application de-duplicates across both and recovers from the feed whatever a delivery outage missed. Events are kept EVENT_RETENTION_DAYS (default 30) after they occurred; a position older than that answers 410 Gone with \`oldestPosition\`, the position from which the feed is complete: resynchronise (list users and groups), then read after it. The feed never skips events silently. Filters apply within a window of at most ${MAX_FEED_PAGE} events, so a page may hold fewer than \`limit\` events while \`hasMore\` is true.`,
  security: SECURITY,
  request: { params: TenantParams, query: FeedQuerySchema },
  responses: {
    200: jsonAnswer(FeedPageSchema, FEED_EXAMPLE, 'A page of the feed'),
    ...tenantProblems(INSTANCE),
    409: problemAnswer(409, 'Conflict', 'Tenant acme is being deleted', INSTANCE),
    410: {
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: ExpiredPositionSchema,
          example: {
            type: 'about:blank',
            title: 'Gone',
            status: 410,
            detail: EXPIRED_DETAIL,
            instance: INSTANCE,
            oldestPosition: '4211',
          },
        },
      },
      description:
        'The position is older than the retention: resume after oldestPosition, after resynchronising',
    },
  },
})

export const eventRouteDefinitions = [feedRoute]

const split = <T extends string>(value: string | undefined) =>
  value === undefined ? undefined : (value.split(',') as T[])

function toProblem(error: unknown): unknown {
  if (!(error instanceof FeedError)) return error
  if (error.code === 'positionExpired')
    return new Problem(410, error.message, [], {}, { oldestPosition: error.oldestPosition })
  return new Problem(400, error.message)
}

export function eventRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(feedRoute, async (c) => {
    const row = await requireTenant(c.var.ports, c.req.valid('param').name)
    closedWhileDeleting(row)
    const binding = d1Binding(c.env, row.db)
    if (!binding)
      throw new Error(`Tenant ${row.name} names D1 binding ${row.db}, which this deployment lacks`)
    const { after, limit, resourceType, operation } = c.req.valid('query')
    try {
      const page = await readFeed(primaryOutbox(binding), c.env, row.name, {
        ...(after !== undefined && { after }),
        ...(limit !== undefined && { limit }),
        ...(resourceType !== undefined && { resourceTypes: split<'User' | 'Group'>(resourceType) }),
        ...(operation !== undefined && { operations: split<(typeof FEED_OPERATIONS)[number]>(operation) }),
      })
      // The feed's types are deeply readonly (for Workers RPC); the JSON answer is the same shape.
      return c.json(page as z.infer<typeof FeedPageSchema>, 200)
    } catch (error) {
      throw toProblem(error)
    }
  })
}
