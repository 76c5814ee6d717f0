import type { z } from '@hono/zod-openapi'
import type { ExpiredPositionSchema, FeedEventSchema, FeedPageSchema } from '../admin/event-schemas'

/**
 * Paging the change feed (`GET /admin/v1/tenants/{name}/events`) from an application: the types are
 * the management API's own answer schemas (src/admin/event-schemas.ts), as types only, so the client
 * carries no zod at run time and cannot drift from what the API answers.
 */
export type FeedPage = z.output<typeof FeedPageSchema>
export type FeedEvent = z.output<typeof FeedEventSchema>
export type ExpiredPositionProblem = z.output<typeof ExpiredPositionSchema>
export type FeedOperation = FeedEvent['operation']

export interface FeedQuery {
  /** A position the feed gave (an event's `position` or a page's `next`); omitted, the oldest retained event. */
  after?: string | undefined
  /** Events per page, 1 to 1000 (default 100). */
  limit?: number
  resourceTypes?: FeedEvent['resourceType'][]
  operations?: FeedOperation[]
}

export interface FeedReaderOptions extends FeedQuery {
  /** Keep polling at the head every `intervalMs` (default 5 s) until `signal` aborts, instead of ending there. */
  follow?: { intervalMs?: number; signal?: AbortSignal }
}

/** The query string of one page (the API takes lists comma-separated). */
export function feedQueryString(query: FeedQuery): string {
  const params = new URLSearchParams()
  if (query.after !== undefined) params.set('after', query.after)
  if (query.limit !== undefined) params.set('limit', String(query.limit))
  if (query.resourceTypes) params.set('resourceType', query.resourceTypes.join(','))
  if (query.operations) params.set('operation', query.operations.join(','))
  const text = params.toString()
  return text ? `?${text}` : ''
}

const pause = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })

/**
 * The feed's events one at a time, page after page, from `after`. `position` is where to resume:
 * persist it, and start a new reader with `after: position` after a restart. It moves past an event
 * only when the loop asks for the next one, so an event whose handling was interrupted (a throw, a
 * crash, a `break`) comes again on resume: at least once, de-duplicate by `token.jti`. A position
 * older than the retention rejects with `FeedPositionExpiredError` (never a silent gap).
 */
export class FeedReader implements AsyncIterable<FeedEvent> {
  position: string | undefined

  constructor(
    private readonly readPage: (query: FeedQuery) => Promise<FeedPage>,
    private readonly options: FeedReaderOptions = {},
  ) {
    this.position = options.after
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FeedEvent> {
    const { follow, after: _, ...filters } = this.options
    for (;;) {
      const page = await this.readPage({ ...filters, after: this.position })
      for (const event of page.events) {
        yield event
        this.position = event.position
      }
      // Past what a filter skipped too, so the next page does not look at those rows again.
      this.position = page.next
      if (page.hasMore) continue
      if (!follow || follow.signal?.aborted) return
      await pause(follow.intervalMs ?? 5000, follow.signal)
      if (follow.signal?.aborted) return
    }
  }
}
