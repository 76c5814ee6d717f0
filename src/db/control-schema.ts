import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * The control plane's system of record, on the `DB` binding only (migrations create these tables on
 * every D1 binding; they stay empty elsewhere). KV `tenant:<name>` is the copy the SCIM path reads,
 * published from these rows (src/control/publish.ts). D1 gives what KV cannot: transactions,
 * read-your-writes and no per-key write rate, so concurrent changes of one tenant never lose one.
 */

/** One row per tenant. `revision` grows with every change the KV copy must show. */
export const tenants = sqliteTable(
  'tenants',
  {
    name: text().primaryKey(),
    /** `active` or `suspended`; readers treat any other value as not active. */
    status: text().notNull(),
    db: text().notNull(),
    label: text(),
    metadata: text({ mode: 'json' }).$type<Record<string, string>>(),
    createdAt: text().notNull(),
    /** The declared extension schemas (RFC 7643 §7) as the KV record carries them, JSON. */
    schemas: text({ mode: 'json' }).$type<unknown[]>(),
    revision: integer().notNull().default(1),
    /** The highest revision known to be in KV; below `revision`, the cron publishes again. */
    publishedRevision: integer().notNull().default(0),
  },
  (t) => [index('tenants_status_name').on(t.status, t.name)],
)

/** Bearer tokens of tenants, as SHA-256 hashes. Revoking deletes the row. */
export const tenantTokens = sqliteTable(
  'tenant_tokens',
  {
    tenantName: text().notNull(),
    id: text().notNull(),
    hash: text().notNull(),
    label: text(),
    createdAt: text().notNull(),
    expiresAt: text(),
  },
  (t) => [primaryKey({ columns: [t.tenantName, t.id] })],
)

/** Keys of the management API, as SHA-256 hashes; a revoked key keeps its row for the audit. */
export const operatorKeys = sqliteTable(
  'operator_keys',
  {
    id: text().primaryKey(),
    hash: text().notNull(),
    label: text(),
    createdAt: text().notNull(),
    revokedAt: text(),
  },
  (t) => [uniqueIndex('operator_keys_hash').on(t.hash)],
)

/** One row per management action: who, what, when, outcome. Never a secret. */
export const adminAudit = sqliteTable(
  'admin_audit',
  {
    seq: integer().primaryKey({ autoIncrement: true }),
    at: text().notNull(),
    keyId: text(),
    method: text().notNull(),
    path: text().notNull(),
    tenant: text(),
    status: integer().notNull(),
    requestId: text(),
  },
  (t) => [index('admin_audit_tenant_seq').on(t.tenant, t.seq)],
)

/**
 * Answers of creates sent with an Idempotency-Key, per operator key, method and path, for 24 h.
 * `response` is encrypted with a key derived from the operator key and the Idempotency-Key, so a
 * token kept for a replay is readable only by the caller that holds both (src/admin/idempotency.ts).
 */
export const adminIdempotency = sqliteTable(
  'admin_idempotency',
  {
    keyId: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    idempotencyKey: text().notNull(),
    requestHash: text().notNull(),
    status: integer(),
    response: text(),
    createdAt: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.keyId, t.method, t.path, t.idempotencyKey] }),
    index('admin_idempotency_created').on(t.createdAt),
  ],
)

/**
 * Webhook endpoints (README, "Webhooks"): `tenant` null receives every tenant's events. Secrets are
 * AES-GCM ciphertexts under the WEBHOOK_SECRET_KEY Worker secret: the Worker signs with them, so a
 * hash would not do. `previousSecret` keeps verifying until `previousSecretExpiresAt` after a rotation.
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text().primaryKey(),
    tenant: text(),
    url: text().notNull(),
    /** JSON array of event types, empty for all. */
    eventTypes: text().notNull(),
    enabled: integer().notNull(),
    /** Why the endpoint was disabled by the delivery (failures in a row), null otherwise. */
    disabledReason: text(),
    consecutiveFailures: integer().notNull().default(0),
    secret: text().notNull(),
    previousSecret: text(),
    previousSecretExpiresAt: text(),
    createdAt: text().notNull(),
  },
  (t) => [index('webhook_endpoints_tenant').on(t.tenant)],
)

/** One row per HTTP attempt of a delivery, readable through the management API. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    seq: integer().primaryKey({ autoIncrement: true }),
    endpointId: text().notNull(),
    eventId: text().notNull(),
    attempt: integer().notNull(),
    at: text().notNull(),
    status: integer(),
    latencyMs: integer().notNull(),
    error: text(),
  },
  (t) => [index('webhook_attempts_endpoint_seq').on(t.endpointId, t.seq)],
)

/**
 * Webhook attempts that exhausted their retries: the dead-letter queue's consumer parks each message
 * here, for the management API to list and replay (`replayedAt` set when sent again).
 */
export const webhookDeadLetters = sqliteTable(
  'webhook_dead_letters',
  {
    seq: integer().primaryKey({ autoIncrement: true }),
    endpointId: text().notNull(),
    eventId: text().notNull(),
    /** The queue message (JSON), sent again as it was on a replay. */
    message: text().notNull(),
    parkedAt: text().notNull(),
    replayedAt: text(),
  },
  (t) => [index('webhook_dead_letters_endpoint_seq').on(t.endpointId, t.seq)],
)
