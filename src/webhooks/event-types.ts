import * as z from 'zod'
import type { EventOperation } from '../db/events'

/**
 * What a webhook endpoint subscribes to: each outbox operation by name, plus `deactivation`, which
 * a User's deactivation (active: false) and deletion both raise, so an application that only
 * revokes access can subscribe to that alone. An empty list subscribes to every type.
 */
export const DEACTIVATION = 'deactivation'
const OPERATIONS = [
  'created',
  'replaced',
  'patched',
  'deactivated',
  'reactivated',
  'deleted',
  'membersAdded',
  'membersRemoved',
] as const satisfies readonly EventOperation[]
export const WEBHOOK_EVENT_TYPES = [...OPERATIONS, DEACTIVATION] as const
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES)
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>

/** The types one outbox event carries: its operation, and `deactivation` where it applies. */
export function eventTypesOf(resourceType: string, operation: string): string[] {
  const deactivates = resourceType === 'User' && (operation === 'deactivated' || operation === 'deleted')
  return deactivates ? [operation, DEACTIVATION] : [operation]
}

/** Whether an endpoint subscribed to `types` receives an event of `eventTypes`. */
export const subscribes = (types: readonly string[], eventTypes: readonly string[]) =>
  types.length === 0 || eventTypes.some((type) => types.includes(type))
