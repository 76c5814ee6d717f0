import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import {
  createEndpoint,
  deleteEndpoint,
  endpointInputSchema,
  endpointUpdateSchema,
  getEndpoint,
  listAttempts,
  listEndpoints,
  rotateEndpointSecret,
  secretRotationSchema,
  updateEndpoint,
} from '../webhooks/endpoints'
import { WEBHOOK_EVENT_TYPES } from '../webhooks/event-types'
import { webhookKeyOf } from '../webhooks/secret-box'
import type { TargetPolicy } from '../webhooks/target-url'
import type { AdminEnv } from './admin-env'
import { Problem } from './problem'
import {
  commonProblems,
  idempotencyHeaders,
  jsonAnswer,
  jsonBody,
  problemAnswer,
  SECURITY,
} from './route-kit'

const BASE = '/admin/v1/webhooks'
const ENDPOINT = {
  id: 'whe_1a2b3c4d5e6f7a8b',
  tenant: 'acme',
  url: 'https://app.example.org/scim-webhooks',
  eventTypes: ['deactivation'],
  enabled: true,
  includeResource: false,
  disabledReason: null,
  consecutiveFailures: 0,
  previousSecretExpiresAt: null,
  createdAt: '2026-05-14T09:00:00.000Z',
}
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

const EndpointSchema = z
  .object({
    id: z.string(),
    tenant: z.string().nullable(),
    url: z.string(),
    eventTypes: z
      .array(z.string())
      .openapi({ description: `Any of ${WEBHOOK_EVENT_TYPES.join(', ')}; empty for all` }),
    enabled: z.boolean(),
    includeResource: z.boolean().openapi({
      description:
        "Each delivery also carries `stateAtDelivery`: the resource's SCIM representation read when the attempt is sent (a User with its groups, a Group without its members), or null once it is deleted",
    }),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('WebhookEndpoint')
const WithSecretSchema = z
  .object({ endpoint: EndpointSchema, secret: z.string() })
  .openapi('WebhookEndpointWithSecret')
const AttemptSchema = z
  .object({
    eventId: z.string(),
    attempt: z.number().int(),
    at: z.string(),
    status: z.number().int().nullable(),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
  })
  .openapi('WebhookAttempt')
const IdParams = z.object({
  id: z
    .string()
    .regex(/^whe_[0-9a-f]{16}$/)
    .openapi({ param: { name: 'id', in: 'path' }, example: ENDPOINT.id }),
})

const unavailable = problemAnswer(
  503,
  'Service Unavailable',
  'Webhooks are not set up: create the queues edge-scim-webhooks and edge-scim-webhooks-dlq, bind SCIM_WEBHOOKS and set the WEBHOOK_SECRET_KEY secret (README, "Webhooks")',
  BASE,
)
const missing = (instance: string) =>
  problemAnswer(404, 'Not Found', `No webhook endpoint ${ENDPOINT.id}`, instance)
const problems = (instance: string) => ({ ...commonProblems(instance), 503: unavailable })

const createEndpointRoute = createRoute({
  method: 'post',
  path: '/webhooks',
  summary: 'Register a webhook endpoint',
  description:
    "For one tenant, or every tenant when `tenant` is omitted. The URL must be https on a public host (no IP literal, localhost, .internal/.local name or this deployment's domain). The signing secret is shown only in this answer. An empty `eventTypes` subscribes to every type.",
  security: SECURITY,
  request: {
    headers: idempotencyHeaders,
    ...jsonBody(endpointInputSchema.openapi('WebhookEndpointCreate'), {
      url: ENDPOINT.url,
      tenant: 'acme',
      eventTypes: ['deactivation'],
    }),
  },
  responses: {
    201: jsonAnswer(
      WithSecretSchema,
      { endpoint: ENDPOINT, secret: SECRET },
      'The endpoint and its secret, shown only this once',
    ),
    ...problems(BASE),
    422: problemAnswer(
      422,
      'Unprocessable Content',
      'The webhook URL must name a host, not an IP address',
      BASE,
    ),
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/webhooks',
  summary: 'List webhook endpoints',
  description:
    'Never a secret. `enabled: false` with a `disabledReason` is an endpoint the delivery disabled.',
  security: SECURITY,
  request: { query: z.object({ tenant: z.string().optional().openapi({ example: 'acme' }) }) },
  responses: {
    200: jsonAnswer(
      z.object({ endpoints: z.array(EndpointSchema) }),
      { endpoints: [ENDPOINT] },
      'The endpoints',
    ),
    ...problems(BASE),
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/webhooks/{id}',
  summary: 'Read a webhook endpoint',
  security: SECURITY,
  request: { params: IdParams },
  responses: {
    200: jsonAnswer(EndpointSchema, ENDPOINT, 'The endpoint'),
    ...problems(`${BASE}/${ENDPOINT.id}`),
    404: missing(`${BASE}/${ENDPOINT.id}`),
  },
})

const updateRoute = createRoute({
  method: 'patch',
  path: '/webhooks/{id}',
  summary: 'Change a webhook endpoint',
  description: '`enabled: true` re-enables an endpoint the delivery disabled and clears its failure count.',
  security: SECURITY,
  request: {
    params: IdParams,
    ...jsonBody(endpointUpdateSchema.openapi('WebhookEndpointUpdate'), { enabled: true }),
  },
  responses: {
    200: jsonAnswer(EndpointSchema, ENDPOINT, 'The endpoint'),
    ...problems(`${BASE}/${ENDPOINT.id}`),
    404: missing(`${BASE}/${ENDPOINT.id}`),
  },
})

const deleteRoute = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  summary: 'Remove a webhook endpoint',
  security: SECURITY,
  request: { params: IdParams },
  responses: {
    204: { description: 'Removed' },
    ...problems(`${BASE}/${ENDPOINT.id}`),
    404: missing(`${BASE}/${ENDPOINT.id}`),
  },
})

const rotateRoute = createRoute({
  method: 'post',
  path: '/webhooks/{id}/rotate-secret',
  summary: "Rotate an endpoint's signing secret",
  description:
    'A new secret, shown only in this answer. For graceSeconds (default a day) every delivery carries a signature under each secret, so the receiver verifies with either while it switches.',
  security: SECURITY,
  request: {
    params: IdParams,
    headers: idempotencyHeaders,
    ...jsonBody(secretRotationSchema.openapi('WebhookSecretRotation'), { graceSeconds: 3600 }, false),
  },
  responses: {
    201: jsonAnswer(
      WithSecretSchema,
      { endpoint: { ...ENDPOINT, previousSecretExpiresAt: '2026-05-14T10:00:00.000Z' }, secret: SECRET },
      'The new secret, shown only this once',
    ),
    ...problems(`${BASE}/${ENDPOINT.id}/rotate-secret`),
    404: missing(`${BASE}/${ENDPOINT.id}/rotate-secret`),
  },
})

const attemptsRoute = createRoute({
  method: 'get',
  path: '/webhooks/{id}/attempts',
  summary: 'Delivery attempts of an endpoint',
  description: 'The newest 100: time, HTTP status (null when none came), latency and error.',
  security: SECURITY,
  request: { params: IdParams },
  responses: {
    200: jsonAnswer(
      z.object({ attempts: z.array(AttemptSchema) }),
      {
        attempts: [
          {
            eventId: '0196c1d2-…',
            attempt: 2,
            at: '2026-05-14T09:01:00.000Z',
            status: 200,
            latencyMs: 84,
            error: null,
          },
        ],
      },
      'The attempts, newest first',
    ),
    ...problems(`${BASE}/${ENDPOINT.id}/attempts`),
    404: missing(`${BASE}/${ENDPOINT.id}/attempts`),
  },
})

export const webhookRouteDefinitions = [
  createEndpointRoute,
  listRoute,
  getRoute,
  updateRoute,
  deleteRoute,
  rotateRoute,
  attemptsRoute,
]

/** The secret key and the queue, or 503 while the operator has not set webhooks up. */
export function requireWebhooks(c: Context<AdminEnv>): { key: string; queue: Queue } {
  const key = webhookKeyOf(c.env)
  const queue = c.env.SCIM_WEBHOOKS
  if (!key || !queue)
    throw new Problem(
      503,
      'Webhooks are not set up: create the queues edge-scim-webhooks and edge-scim-webhooks-dlq, bind SCIM_WEBHOOKS and set the WEBHOOK_SECRET_KEY secret (README, "Webhooks")',
    )
  return { key, queue }
}

const setUp = (c: Context<AdminEnv>) => requireWebhooks(c).key

const policyOf = (env: Env): TargetPolicy => ({
  ownDomain: env.BASE_DOMAIN,
  allowLocalhost: env.ALLOW_HTTP_LOCALHOST_WEBHOOKS === 'true',
})

export function webhookRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(createEndpointRoute, async (c) => {
    const created = await createEndpoint(c.var.ports, setUp(c), policyOf(c.env), c.req.valid('json'))
    return c.json(created, 201)
  })
  app.openapi(listRoute, async (c) => {
    setUp(c)
    return c.json({ endpoints: await listEndpoints(c.var.ports, c.req.valid('query').tenant) }, 200)
  })
  app.openapi(getRoute, async (c) => {
    setUp(c)
    return c.json(await getEndpoint(c.var.ports, c.req.valid('param').id), 200)
  })
  app.openapi(updateRoute, async (c) => {
    setUp(c)
    return c.json(
      await updateEndpoint(c.var.ports, policyOf(c.env), c.req.valid('param').id, c.req.valid('json')),
      200,
    )
  })
  app.openapi(deleteRoute, async (c) => {
    setUp(c)
    await deleteEndpoint(c.var.ports, c.req.valid('param').id)
    return c.body(null, 204)
  })
  app.openapi(rotateRoute, async (c) => {
    const rotated = await rotateEndpointSecret(
      c.var.ports,
      setUp(c),
      c.req.valid('param').id,
      c.req.valid('json'),
    )
    return c.json(rotated, 201)
  })
  app.openapi(attemptsRoute, async (c) => {
    setUp(c)
    return c.json({ attempts: await listAttempts(c.var.ports, c.req.valid('param').id) }, 200)
  })
}
