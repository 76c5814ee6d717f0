import * as z from 'zod'
import { ControlError } from '../control/control-error'
import { requireTenant } from '../control/find-tenant'
import { type ControlPorts, query, statement } from '../control/ports'
import { problemsOf, tenantNameSchema } from '../control/rules'
import { hex } from '../tenancy/token'
import { webhookEventTypeSchema } from './event-types'
import { generateSigningSecret, sealSecret } from './secret-box'
import { checkTargetUrl, type TargetPolicy } from './target-url'

/** Webhook endpoints in the control plane (D1 `DB`): one implementation for the API and its tests. */

export const endpointInputSchema = z.strictObject({
  url: z.string().max(2048),
  /** Omitted or null: every tenant of the deployment. */
  tenant: tenantNameSchema.nullable().optional(),
  eventTypes: z.array(webhookEventTypeSchema).max(20).default([]),
  enabled: z.boolean().default(true),
  /** Each delivery also carries the resource as it is when sent (`stateAtDelivery`). */
  includeResource: z.boolean().default(false),
})
export const endpointUpdateSchema = z.strictObject({
  url: z.string().max(2048).optional(),
  eventTypes: z.array(webhookEventTypeSchema).max(20).optional(),
  /** true also clears a disabling by the delivery and its failure count. */
  enabled: z.boolean().optional(),
  includeResource: z.boolean().optional(),
})
export const secretRotationSchema = z.strictObject({
  /** How long the previous secret keeps signing beside the new one (receivers accept either). */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400),
})

export interface WebhookEndpoint {
  id: string
  tenant: string | null
  url: string
  eventTypes: string[]
  enabled: boolean
  /** Deliveries carry `stateAtDelivery`: the resource read when each is sent (README, "Webhooks"). */
  includeResource: boolean
  disabledReason: string | null
  consecutiveFailures: number
  previousSecretExpiresAt: string | null
  createdAt: string
}

export const ENDPOINT_COLUMNS = `id, tenant, url, event_types, enabled, disabled_reason, consecutive_failures,
  secret, previous_secret, previous_secret_expires_at, created_at, include_resource`

export function toEndpoint(raw: Record<string, unknown>): WebhookEndpoint {
  return {
    id: String(raw.id),
    tenant: raw.tenant == null ? null : String(raw.tenant),
    url: String(raw.url),
    eventTypes: JSON.parse(String(raw.event_types)) as string[],
    enabled: raw.enabled === 1,
    includeResource: raw.include_resource === 1,
    disabledReason: raw.disabled_reason == null ? null : String(raw.disabled_reason),
    consecutiveFailures: Number(raw.consecutive_failures),
    previousSecretExpiresAt:
      raw.previous_secret_expires_at == null ? null : String(raw.previous_secret_expires_at),
    createdAt: String(raw.created_at),
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (!result.success)
    throw new ControlError('invalid', 'The webhook endpoint is not valid', problemsOf(result.error))
  return result.data
}

function requireSafeUrl(url: string, policy: TargetPolicy) {
  const checked = checkTargetUrl(url, policy)
  if (!checked.ok)
    throw new ControlError('invalid', `The webhook URL ${checked.reason}`, [`url ${checked.reason}`])
  return checked.url.href
}

const notFound = (id: string) => new ControlError('not_found', `No webhook endpoint ${id}`)

export async function getEndpoint(ports: ControlPorts, id: string) {
  const [raw] = await query(
    ports.control,
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?`,
    id,
  )
  if (!raw) throw notFound(id)
  return toEndpoint(raw)
}

/** A new endpoint and its signing secret, which exists in clear text only in this answer. */
export async function createEndpoint(ports: ControlPorts, key: string, policy: TargetPolicy, input: unknown) {
  const parsed = parse(endpointInputSchema, input)
  const url = requireSafeUrl(parsed.url, policy)
  if (parsed.tenant) await requireTenant(ports, parsed.tenant)
  const id = `whe_${hex(crypto.getRandomValues(new Uint8Array(8)))}`
  const secret = generateSigningSecret()
  const [result] = await ports.control.batch([
    statement(
      `INSERT INTO webhook_endpoints (id, tenant, url, event_types, enabled, secret, created_at, include_resource)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${ENDPOINT_COLUMNS}`,
      id,
      parsed.tenant ?? null,
      url,
      JSON.stringify(parsed.eventTypes),
      parsed.enabled ? 1 : 0,
      await sealSecret(key, id, secret),
      new Date().toISOString(),
      parsed.includeResource ? 1 : 0,
    ),
  ])
  return { endpoint: toEndpoint(result?.rows[0] ?? {}), secret }
}

export async function listEndpoints(ports: ControlPorts, tenant?: string) {
  const rows = tenant
    ? await query(
        ports.control,
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant = ? ORDER BY id`,
        tenant,
      )
    : await query(ports.control, `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY id`)
  return rows.map(toEndpoint)
}

export async function updateEndpoint(ports: ControlPorts, policy: TargetPolicy, id: string, input: unknown) {
  const parsed = parse(endpointUpdateSchema, input)
  const url = parsed.url === undefined ? null : requireSafeUrl(parsed.url, policy)
  const types = parsed.eventTypes === undefined ? null : JSON.stringify(parsed.eventTypes)
  const enabled = parsed.enabled === undefined ? null : parsed.enabled ? 1 : 0
  const includeResource = parsed.includeResource === undefined ? null : parsed.includeResource ? 1 : 0
  const [raw] = await query(
    ports.control,
    `UPDATE webhook_endpoints SET url = coalesce(?1, url), event_types = coalesce(?2, event_types),
       enabled = coalesce(?3, enabled), include_resource = coalesce(?5, include_resource),
       disabled_reason = CASE WHEN ?3 = 1 THEN NULL ELSE disabled_reason END,
       consecutive_failures = CASE WHEN ?3 = 1 THEN 0 ELSE consecutive_failures END,
       failing_since = CASE WHEN ?3 = 1 THEN NULL ELSE failing_since END
     WHERE id = ?4 RETURNING ${ENDPOINT_COLUMNS}`,
    url,
    types,
    enabled,
    id,
    includeResource,
  )
  if (!raw) throw notFound(id)
  return toEndpoint(raw)
}

export async function deleteEndpoint(ports: ControlPorts, id: string) {
  const [raw] = await query(ports.control, 'DELETE FROM webhook_endpoints WHERE id = ? RETURNING id', id)
  if (!raw) throw notFound(id)
}

/** A new secret; the current one keeps signing beside it for `graceSeconds`. */
export async function rotateEndpointSecret(ports: ControlPorts, key: string, id: string, input: unknown) {
  const { graceSeconds } = parse(secretRotationSchema, input ?? {})
  const secret = generateSigningSecret()
  const expires = new Date(Date.now() + graceSeconds * 1000).toISOString()
  const [raw] = await query(
    ports.control,
    `UPDATE webhook_endpoints SET previous_secret = CASE WHEN ?1 > 0 THEN secret END,
       previous_secret_expires_at = CASE WHEN ?1 > 0 THEN ?2 END, secret = ?3
     WHERE id = ?4 RETURNING ${ENDPOINT_COLUMNS}`,
    graceSeconds,
    expires,
    await sealSecret(key, id, secret),
    id,
  )
  if (!raw) throw notFound(id)
  return { endpoint: toEndpoint(raw), secret }
}

export interface DeliveryAttempt {
  eventId: string
  attempt: number
  at: string
  status: number | null
  latencyMs: number
  error: string | null
}

/** The newest attempts first. */
export async function listAttempts(ports: ControlPorts, id: string, limit = 100): Promise<DeliveryAttempt[]> {
  await getEndpoint(ports, id)
  const rows = await query(
    ports.control,
    `SELECT event_id, attempt, at, status, latency_ms, error FROM webhook_attempts WHERE endpoint_id = ?
      ORDER BY seq DESC LIMIT ?`,
    id,
    limit,
  )
  return rows.map((r) => ({
    eventId: String(r.event_id),
    attempt: Number(r.attempt),
    at: String(r.at),
    status: r.status == null ? null : Number(r.status),
    latencyMs: Number(r.latency_ms),
    error: r.error == null ? null : String(r.error),
  }))
}
