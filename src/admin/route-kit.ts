import { z } from '@hono/zod-openapi'
import { ProblemSchema } from './api-schemas'
import { PROBLEM_CONTENT_TYPE } from './problem'

/** Building blocks of the route definitions: every body and answer carries its example. */

export const jsonBody = <S extends z.ZodType>(schema: S, example: z.input<S>, required = true) => ({
  body: { content: { 'application/json': { schema, example } }, required },
})

export const jsonAnswer = <S extends z.ZodType>(schema: S, example: z.output<S>, description: string) => ({
  content: { 'application/json': { schema, example } },
  description,
})

const problemExample = (status: number, title: string, detail: string, instance: string) => ({
  type: 'about:blank',
  title,
  status,
  detail,
  instance,
})

export const problemAnswer = (status: number, title: string, detail: string, instance: string) => ({
  content: {
    [PROBLEM_CONTENT_TYPE]: {
      schema: ProblemSchema,
      example: problemExample(status, title, detail, instance),
    },
  },
  description: detail,
})

/** The refusals every authenticated operation can give. */
export const commonProblems = (instance: string) => ({
  400: problemAnswer(400, 'Bad Request', 'The request is not valid', instance),
  401: problemAnswer(
    401,
    'Unauthorized',
    'A valid operator key is required: Authorization: Bearer scimop_…',
    instance,
  ),
  429: problemAnswer(429, 'Too Many Requests', 'Too many requests; retry after 60 seconds', instance),
})

export const notFound = (instance: string) =>
  problemAnswer(404, 'Not Found', 'Tenant acme does not exist', instance)

/** The refusals of an operation on one tenant: those of every operation, and 404 for an unknown tenant. */
export const tenantProblems = (instance: string) => ({ ...commonProblems(instance), 404: notFound(instance) })

export const SECURITY = [{ operatorKey: [] }]

/** The Idempotency-Key header of the operations that create something. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().optional().openapi({
    description:
      'Makes a retry safe: the first answer is kept 24 h per operator key, method and path and replayed (with Idempotent-Replayed: true); the same key with another body gets 422.',
    example: '0f8fad5b-d9cb-469f-a165-70867728950e',
  }),
})
