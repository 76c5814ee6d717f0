import { type SqlPort, statement } from '../control/ports'
import { describeError } from '../ops/safe-error'
import { type AttemptOutcome, postWebhook } from './attempt'
import { retryDelaySeconds } from './backoff'
import { ENDPOINT_COLUMNS, toEndpoint } from './endpoints'
import { subscribes } from './event-types'
import { openSecret } from './secret-box'
import type { WebhookEvent } from './webhook-event'

/**
 * The consumer of the SCIM_WEBHOOKS queue. A `dispatch` message (one per committed change) fans
 * out to one `attempt` message per subscribed endpoint, so each endpoint retries on its own
 * schedule; an `attempt` is one signed POST, retried with backoff (src/webhooks/backoff.ts) until the
 * queue's max_retries moves it to the dead-letter queue.
 */
export type WebhookMessage =
  | { readonly kind: 'dispatch'; readonly event: WebhookEvent }
  | { readonly kind: 'attempt'; readonly endpointId: string; readonly event: WebhookEvent }

/**
 * The delivery disables an endpoint whose attempts (any event) have all failed for a day, and at
 * least this many in a row: a short outage during a burst of changes fails many attempts, and the
 * queue's retries deliver them once the receiver is back, so a count alone would disable it for nothing.
 */
export const DISABLE_AFTER_FAILURES = 100
const DISABLE_AFTER_FAILING_MS = 24 * 60 * 60 * 1000

export interface ConsumerDeps {
  readonly control: SqlPort
  readonly queue: Queue<WebhookMessage>
  readonly secretKey: string
  readonly send: typeof fetch
  /** The resource's current representation, for endpoints with `includeResource` (./resource-state.ts). */
  readonly readResource: (event: WebhookEvent) => Promise<WebhookEvent['stateAtDelivery']>
}

async function dispatch(deps: ConsumerDeps, messages: readonly Message<WebhookMessage>[]) {
  const tenants = [...new Set(messages.map((m) => m.body.event.tenant))]
  const [result] = await deps.control.batch([
    statement(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints
        WHERE enabled = 1 AND (tenant IS NULL OR tenant IN (SELECT value FROM json_each(?)))`,
      JSON.stringify(tenants),
    ),
  ])
  const endpoints = (result?.rows ?? []).map(toEndpoint)
  const attempts = messages.flatMap(({ body: { event } }) =>
    endpoints
      .filter(
        (e) => (e.tenant === null || e.tenant === event.tenant) && subscribes(e.eventTypes, event.types),
      )
      .map((e) => ({
        body: { kind: 'attempt' as const, endpointId: e.id, event },
        contentType: 'json' as const,
      })),
  )
  // Queues take 100 messages a send.
  for (let i = 0; i < attempts.length; i += 100) await deps.queue.sendBatch(attempts.slice(i, i + 100))
  for (const message of messages) message.ack()
}

async function secretsOf(key: string, raw: Record<string, unknown>, now: Date) {
  const id = String(raw.id)
  const secrets = [await openSecret(key, id, String(raw.secret))]
  const graceEnds = raw.previous_secret_expires_at
  if (raw.previous_secret != null && typeof graceEnds === 'string' && Date.parse(graceEnds) > now.getTime())
    secrets.push(await openSecret(key, id, String(raw.previous_secret)))
  return secrets
}

/** Records the attempt and the run of failures, disabling the endpoint past both thresholds. */
function recordStatements(
  endpointId: string,
  eventId: string,
  attempt: number,
  outcome: Awaited<ReturnType<typeof postWebhook>>,
) {
  const now = new Date()
  const at = now.toISOString()
  const failingBefore = new Date(now.getTime() - DISABLE_AFTER_FAILING_MS).toISOString()
  return [
    statement(
      'INSERT INTO webhook_attempts (endpoint_id, event_id, attempt, at, status, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
      endpointId,
      eventId,
      attempt,
      at,
      outcome.status,
      outcome.latencyMs,
      outcome.error,
    ),
    statement(
      // Every right-hand side reads the row as it was before this UPDATE.
      `UPDATE webhook_endpoints SET
         consecutive_failures = CASE WHEN ?1 THEN 0 ELSE consecutive_failures + 1 END,
         failing_since = CASE WHEN ?1 THEN NULL ELSE coalesce(failing_since, ?4) END,
         enabled = CASE WHEN NOT ?1 AND consecutive_failures + 1 >= ?2 AND failing_since <= ?5
           THEN 0 ELSE enabled END,
         disabled_reason = CASE WHEN NOT ?1 AND enabled = 1 AND consecutive_failures + 1 >= ?2
           AND failing_since <= ?5 THEN 'every attempt failed since ' || failing_since || ', ' || (consecutive_failures + 1) ||
             ' in a row, the last at ' || ?4 ELSE disabled_reason END
       WHERE id = ?3`,
      outcome.ok ? 1 : 0,
      DISABLE_AFTER_FAILURES,
      endpointId,
      at,
      failingBefore,
    ),
  ]
}

/** The JSON body of one attempt: the event, and the resource read now when the endpoint asked for it. */
async function bodyFor(deps: ConsumerDeps, event: WebhookEvent, includeResource: boolean) {
  if (!includeResource) return JSON.stringify(event)
  return JSON.stringify({ ...event, stateAtDelivery: await deps.readResource(event) } satisfies WebhookEvent)
}

async function attemptOne(
  deps: ConsumerDeps,
  message: Message<WebhookMessage>,
  raw: Record<string, unknown> | undefined,
) {
  if (message.body.kind !== 'attempt') return
  const { event, endpointId } = message.body
  // Deleted or disabled since the dispatch: nothing to send (the feed still holds the event).
  if (raw?.enabled !== 1) return message.ack()
  const secrets = await secretsOf(deps.secretKey, raw, new Date())
  const outcome = await bodyFor(deps, event, raw.include_resource === 1).then(
    (body) => postWebhook(deps.send, String(raw.url), secrets, event.id, body),
    (error: unknown): AttemptOutcome => {
      const { name, message } = describeError(error)
      return { ok: false, status: null, latencyMs: 0, error: `reading the resource: ${name}: ${message}` }
    },
  )
  await deps.control.batch(recordStatements(endpointId, event.id, message.attempts, outcome))
  if (outcome.ok) message.ack()
  else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
}

export async function consumeWebhooks(batch: MessageBatch<WebhookMessage>, deps: ConsumerDeps) {
  const dispatches = batch.messages.filter((m) => m.body.kind === 'dispatch')
  const attempts = batch.messages.filter((m) => m.body.kind === 'attempt')
  if (dispatches.length > 0) await dispatch(deps, dispatches)
  if (attempts.length === 0) return
  const ids = [...new Set(attempts.map((m) => (m.body.kind === 'attempt' ? m.body.endpointId : '')))]
  const [result] = await deps.control.batch([
    statement(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(ids),
    ),
  ])
  const byId = new Map((result?.rows ?? []).map((row) => [String(row.id), row]))
  await Promise.all(
    attempts.map((m) =>
      attemptOne(deps, m, m.body.kind === 'attempt' ? byId.get(m.body.endpointId) : undefined),
    ),
  )
}
