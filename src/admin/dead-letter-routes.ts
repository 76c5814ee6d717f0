import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { listDeadLetters, replayDeadLetter } from '../webhooks/dead-letters'
import type { AdminEnv } from './admin-env'
import { commonProblems, jsonAnswer, problemAnswer, SECURITY } from './route-kit'
import { requireWebhooks } from './webhook-routes'

const BASE = '/admin/v1/webhooks/dead-letters'
const PARKED = {
  id: 42,
  endpointId: 'whe_1a2b3c4d5e6f7a8b',
  eventId: '0196c1d2-7a3e-7c41-9b1f-2d4e6f8a0b1c',
  parkedAt: '2026-05-15T06:12:00.000Z',
  replayedAt: null,
}
const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    endpointId: z.string(),
    eventId: z.string(),
    parkedAt: z.string(),
    replayedAt: z.string().nullable(),
  })
  .openapi('WebhookDeadLetter')

const listRoute = createRoute({
  method: 'get',
  path: '/webhooks/dead-letters',
  summary: 'Deliveries that ran out of retries',
  description:
    'The newest 100 deliveries parked after 13 attempts over about 20 hours (the dead-letter queue, consumed into D1), of one endpoint when `endpointId` is given.',
  security: SECURITY,
  request: {
    query: z.object({ endpointId: z.string().optional().openapi({ example: PARKED.endpointId }) }),
  },
  responses: {
    200: jsonAnswer(
      z.object({ deadLetters: z.array(DeadLetterSchema) }),
      { deadLetters: [PARKED] },
      'The parked deliveries',
    ),
    ...commonProblems(BASE),
  },
})

const replayRoute = createRoute({
  method: 'post',
  path: '/webhooks/dead-letters/{id}/replay',
  summary: 'Replay a parked delivery',
  description:
    'Sends it to the webhook queue again with a fresh retry budget; the same webhook-id as before.',
  security: SECURITY,
  request: {
    params: z.object({
      id: z.coerce
        .number()
        .int()
        .positive()
        .openapi({ param: { name: 'id', in: 'path' }, example: 42 }),
    }),
  },
  responses: {
    202: jsonAnswer(DeadLetterSchema, { ...PARKED, replayedAt: '2026-05-15T09:00:00.000Z' }, 'Queued again'),
    ...commonProblems(`${BASE}/42/replay`),
    404: problemAnswer(404, 'Not Found', 'No parked webhook delivery 42', `${BASE}/42/replay`),
  },
})

export const deadLetterRouteDefinitions = [listRoute, replayRoute]

export function deadLetterRoutes(app: OpenAPIHono<AdminEnv>) {
  app.openapi(listRoute, async (c) => {
    requireWebhooks(c)
    return c.json(
      { deadLetters: await listDeadLetters(c.var.ports.control, c.req.valid('query').endpointId) },
      200,
    )
  })
  app.openapi(replayRoute, async (c) => {
    const { queue } = requireWebhooks(c)
    return c.json(await replayDeadLetter(c.var.ports.control, queue, c.req.valid('param').id), 202)
  })
}
