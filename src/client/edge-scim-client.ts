import { Webhook } from 'standardwebhooks'
import type { DeadLetter } from '../webhooks/dead-letters'
import type { DeliveryAttempt, WebhookEndpoint } from '../webhooks/endpoints'
import type { WebhookEventType } from '../webhooks/event-types'
import type { WebhookEvent } from '../webhooks/webhook-event'

/**
 * A small client for an application on Node (18+, global fetch): verifies webhooks and calls the
 * management API's webhook routes. Its types are the Worker's own (src/webhooks), so the two cannot
 * drift. No runtime dependency beyond `standardwebhooks`.
 */
export type { DeadLetter, DeliveryAttempt, WebhookEndpoint, WebhookEvent, WebhookEventType }

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
    if (!response.ok) throw new ManagementApiError(response.status, json ?? {})
    return json as T
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
