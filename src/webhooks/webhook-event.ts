import type { ScimGroup, ScimUser } from '../directory/types'
import { etagOf } from '../http/etag'
import type { OutboxEvent, SecurityEventToken } from '../ops/set-payload'
import { eventTypesOf } from './event-types'

/**
 * The JSON body of a webhook (README, "Webhooks"): the event in plain fields beside the RFC 9967
 * SET payload it was made from. No order is guaranteed: a receiver applies an event only when its
 * `resource.version` is newer than what it holds, and uses `seq` (per database, increasing in
 * commit order) to see which of two events about the same resource came later.
 */
export interface WebhookEvent {
  /** The outbox row id: the SET's `jti` and the `webhook-id` header, the same on every retry. */
  readonly id: string
  /** The operation, e.g. `patched`. */
  readonly type: string
  /** Every type the event matches (`deactivated` and `deleted` Users also match `deactivation`). */
  readonly types: readonly string[]
  readonly tenant: string
  readonly seq: number
  readonly occurredAt: string
  readonly resource: {
    readonly type: 'User' | 'Group'
    readonly id: string
    /** meta.version after the change (absent for deletions). */
    readonly version: string | null
  }
  readonly set: SecurityEventToken
  /**
   * Only for an endpoint with `includeResource`: the resource as Directory reads it when this
   * attempt is sent (a User with its groups, a Group without its members), at least as new as the
   * event; null when the resource (or its tenant) no longer exists.
   */
  readonly stateAtDelivery?: ScimUser | ScimGroup | null
}

export function webhookEvent(event: OutboxEvent, seq: number, set: SecurityEventToken): WebhookEvent {
  return {
    id: event.id,
    type: event.operation,
    types: eventTypesOf(event.resourceType, event.operation),
    tenant: event.tenantId,
    seq,
    occurredAt: event.occurredAt,
    resource: {
      type: event.resourceType,
      id: event.resourceId,
      version: event.version === null ? null : etagOf(event.version),
    },
    set,
  }
}
