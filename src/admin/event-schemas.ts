import { z } from '@hono/zod-openapi'
import { FEED_OPERATIONS } from '../events/feed'
import { ProblemSchema } from './api-schemas'

/** The change feed's answer shapes and examples (src/admin/event-routes.ts). */

const TokenSchema = z
  .object({
    jti: z.string().openapi({ description: 'The event id: the same in the queue message and in the feed' }),
    iss: z.string(),
    iat: z.number().int(),
    toe: z.number().int().openapi({ description: 'When the change committed (seconds since the epoch)' }),
    sub_id: z.object({ format: z.literal('scim'), uri: z.string() }),
    events: z.record(z.string(), z.record(z.string(), z.unknown())),
    d1_bookmark: z.string().optional(),
  })
  .openapi('SecurityEventToken', { description: 'RFC 9967 Security Event Token payload' })

export const FeedEventSchema = z
  .object({
    position: z.string().openapi({ description: 'Opaque; resume after this event with after=position' }),
    resourceType: z.enum(['User', 'Group']),
    resourceId: z.string(),
    operation: z.enum(FEED_OPERATIONS),
    token: TokenSchema,
  })
  .openapi('FeedEvent')

export const FeedPageSchema = z
  .object({
    events: z.array(FeedEventSchema),
    next: z.string().openapi({ description: 'Pass as `after` for the next page, also when events is empty' }),
    hasMore: z.boolean().openapi({ description: 'Whether more events may follow next right now' }),
    bookmark: z
      .string()
      .nullable()
      .openapi({ description: 'A D1 bookmark at least as new as every event of the page' }),
  })
  .openapi('FeedPage')

export const ExpiredPositionSchema = ProblemSchema.extend({
  oldestPosition: z.string().openapi({ description: 'The feed is complete after this position' }),
}).openapi('ExpiredPosition')

export const EXPIRED_DETAIL =
  'Events after position 1000 were pruned (EVENT_RETENTION_DAYS); the feed is complete from position 4211: resynchronise, then read after it'

const BOOKMARK = '0000006f-00000004-00004fd6-b6ca3de9d5d66f4bc6e6c9ca8dc6c9b0'

export const FEED_EXAMPLE: z.output<typeof FeedPageSchema> = {
  events: [
    {
      position: '1043',
      resourceType: 'User',
      resourceId: '2819c223-7f76-453a-919d-413861904646',
      operation: 'created',
      token: {
        jti: '4d3559ec67504aaba65d40b0363faad8',
        iss: 'https://acme.scim.example.com/scim/v2',
        iat: 1778749200,
        toe: 1778749199,
        sub_id: { format: 'scim', uri: '/Users/2819c223-7f76-453a-919d-413861904646' },
        events: {
          'urn:ietf:params:scim:event:prov:create:notice': {
            attributes: ['userName', 'name', 'emails', 'active'],
            version: 'W/"1"',
          },
        },
        d1_bookmark: BOOKMARK,
      },
    },
  ],
  next: '1043',
  hasMore: false,
  bookmark: BOOKMARK,
}
