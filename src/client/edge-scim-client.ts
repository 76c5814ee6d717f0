import { Webhook } from 'standardwebhooks'
import type { DeadLetter } from '../webhooks/dead-letters'
import type { DeliveryAttempt, WebhookEndpoint } from '../webhooks/endpoints'
import type { WebhookEventType } from '../webhooks/event-types'
import type { WebhookEvent } from '../webhooks/webhook-event'
import {
  type ExpiredPositionProblem,
  type FeedPage,
  type FeedQuery,
  FeedReader,
  type FeedReaderOptions,
  feedQueryString,
} from './feed-reader'

export type { ExpiredPositionProblem, FeedEvent, FeedOperation, FeedPage, FeedQuery } from './feed-reader'
/**
 * A small client for an application on Node (18+, global fetch): verifies webhooks, pages the change
 * feed and calls the management API's webhook routes. Its types are the Worker's own (src/webhooks,
 * the API's answer schemas), so the two cannot drift. No runtime dependency beyond `standardwebhooks`.
 */
export type { DeadLetter, DeliveryAttempt, WebhookEndpoint, WebhookEvent, WebhookEventType }
export { FeedReader, type FeedReaderOptions }

/**
 * The event of a webhook request, after its signature and timestamp (5 minutes of tolerance) are
 * verified on the raw body; throws `WebhookVerificationError` otherwise.
 */
export function verifyWebhook(
  secret: string,
  rawBody: string,
  headers: Record<string, string>,
): WebhookEvent {
  return new Webhook(secret).verify(rawBody, headers) as WebhookEvent
}

/** An RFC 9457 problem the management API answered. */
export class ManagementApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: string[] },
  ) {
    super(`${status} ${problem.detail ?? problem.title ?? 'error'}`)
    this.name = 'ManagementApiError'
  }
}

/**
 * 410 from the change feed: the events after the position were pruned (EVENT_RETENTION_DAYS).
 * Resynchronise (list users and groups), then read on with `after: oldestPosition`.
 */
export class FeedPositionExpiredError extends ManagementApiError {
  readonly oldestPosition: string
  constructor(problem: ExpiredPositionProblem) {
    super(410, problem)
    this.name = 'FeedPositionExpiredError'
    this.oldestPosition = problem.oldestPosition
  }
}

function apiError(status: number, json: unknown): ManagementApiError {
  const problem = (json ?? {}) as Partial<ExpiredPositionProblem>
  if (status === 410 && typeof problem.oldestPosition === 'string')
    return new FeedPositionExpiredError(problem as ExpiredPositionProblem)
  return new ManagementApiError(status, problem)
}

export interface EndpointInput {
  url: string
  tenant?: string
  eventTypes?: WebhookEventType[]
  enabled?: boolean
  /** Each delivery also carries `stateAtDelivery`, the resource read when it is sent. */
  includeResource?: boolean
}

/** The management API at `https://<BASE_DOMAIN>/admin/v1`, authenticated with an operator key. */
export class ManagementClient {
  constructor(
    private readonly baseUrl: string,
    private readonly operatorKey: string,
    private readonly send: typeof fetch = fetch,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.operatorKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    const json = text ? JSON.parse(text) : undefined
    if (!response.ok) throw apiError(response.status, json)
    return json as T
  }

  /** One page of a tenant's change feed; 410 rejects with `FeedPositionExpiredError`. */
  feedPage(tenant: string, query: FeedQuery = {}) {
    return this.call<FeedPage>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/events${feedQueryString(query)}`,
    )
  }
  /** The tenant's change events one by one from `options.after`, across pages (src/client/feed-reader.ts). */
  feed(tenant: string, options: FeedReaderOptions = {}) {
    return new FeedReader((query) => this.feedPage(tenant, query), options)
  }

  createWebhook(input: EndpointInput) {
    return this.call<{ endpoint: WebhookEndpoint; secret: string }>('POST', '/webhooks', input)
  }
  listWebhooks(tenant?: string) {
    const query = tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''
    return this.call<{ endpoints: WebhookEndpoint[] }>('GET', `/webhooks${query}`)
  }
  updateWebhook(
    id: string,
    change: Partial<Pick<EndpointInput, 'url' | 'eventTypes' | 'enabled' | 'includeResource'>>,
  ) {
    return this.call<WebhookEndpoint>('PATCH', `/webhooks/${id}`, change)
  }
  rotateWebhookSecret(id: string, graceSeconds?: number) {
    return this.call<{ endpoint: WebhookEndpoint; secret: string }>('POST', `/webhooks/${id}/rotate-secret`, {
      ...(graceSeconds === undefined ? {} : { graceSeconds }),
    })
  }
  webhookAttempts(id: string) {
    return this.call<{ attempts: DeliveryAttempt[] }>('GET', `/webhooks/${id}/attempts`)
  }
  deadLetters(endpointId?: string) {
    const query = endpointId ? `?endpointId=${encodeURIComponent(endpointId)}` : ''
    return this.call<{ deadLetters: DeadLetter[] }>('GET', `/webhooks/dead-letters${query}`)
  }
  replayDeadLetter(id: number) {
    return this.call<DeadLetter>('POST', `/webhooks/dead-letters/${id}/replay`)
  }
}
