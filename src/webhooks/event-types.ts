import * as z from 'zod'
import { EVENT_OPERATIONS } from '../db/events'

/**
 * What a webhook endpoint subscribes to: each outbox operation by name, plus `deactivation`, which
 * a User's deactivation (active: false), its deletion and its removal from every group raise, so an
 * application that only revokes access can subscribe to that alone. An empty list subscribes to
 * every type.
 */
export const DEACTIVATION = 'deactivation'
export const WEBHOOK_EVENT_TYPES = [...EVENT_OPERATIONS, DEACTIVATION] as const
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES)
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>

const DEACTIVATING = new Set<string>(['deactivated', 'deleted', 'removedFromAllGroups'])

/** The types one outbox event carries: its operation, and `deactivation` where it applies. */
export function eventTypesOf(resourceType: string, operation: string): string[] {
  const deactivates = resourceType === 'User' && DEACTIVATING.has(operation)
  return deactivates ? [operation, DEACTIVATION] : [operation]
}

/** Whether an endpoint subscribed to `types` receives an event of `eventTypes`. */
export const subscribes = (types: readonly string[], eventTypes: readonly string[]) =>
  types.length === 0 || eventTypes.some((type) => types.includes(type))
