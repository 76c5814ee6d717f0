import { sql } from 'drizzle-orm'
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
    /** `active`, `suspended` or `deleting` (src/deletion/); readers treat any but `active` as closed. */
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
 * Setup links for a tenant's IT admin (src/control/setup-links.ts): the SHA-256 of the secret only.
 * Redeemed once (a guarded UPDATE sets `redeemedAt`), expiring, revocable.
 */
export const setupLinks = sqliteTable(
  'setup_links',
  {
    id: text().primaryKey(),
    tenantName: text().notNull(),
    hash: text().notNull(),
    createdAt: text().notNull(),
    expiresAt: text().notNull(),
    redeemedAt: text(),
    revokedAt: text(),
    /** The operator key (`key_…`) or `cli` that issued it. */
    createdBy: text(),
  },
  (t) => [uniqueIndex('setup_links_hash').on(t.hash), index('setup_links_tenant').on(t.tenantName)],
)

/** Sessions of redeemed setup links, by the SHA-256 of the cookie's secret; bound to one tenant. */
export const setupSessions = sqliteTable(
  'setup_sessions',
  {
    hash: text().primaryKey(),
    tenantName: text().notNull(),
    linkId: text().notNull(),
    createdAt: text().notNull(),
    expiresAt: text().notNull(),
  },
  (t) => [index('setup_sessions_link').on(t.linkId), index('setup_sessions_expires').on(t.expiresAt)],
)

/**
 * SCIM requests that failed, per tenant (src/activity/): the request's shape and outcome, never a
 * token or an attribute value. Itemized up to a rate per isolate; the counts in `scim_usage` are exact.
 */
export const scimFailures = sqliteTable(
  'scim_failures',
  {
    seq: integer().primaryKey({ autoIncrement: true }),
    tenantName: text().notNull(),
    at: text().notNull(),
    status: integer().notNull(),
    scimType: text(),
    detail: text(),
    method: text().notNull(),
    endpoint: text().notNull(),
    resourceId: text(),
    client: text().notNull(),
    requestId: text(),
    tokenId: text(),
  },
  (t) => [index('scim_failures_tenant_seq').on(t.tenantName, t.seq), index('scim_failures_at').on(t.at)],
)

/** Requests per tenant, client (User-Agent), method, endpoint pattern and status: aggregated per isolate. */
export const scimUsage = sqliteTable(
  'scim_usage',
  {
    tenantName: text().notNull(),
    client: text().notNull(),
    method: text().notNull(),
    endpoint: text().notNull(),
    status: integer().notNull(),
    count: integer().notNull(),
    firstAt: text().notNull(),
    lastAt: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantName, t.client, t.method, t.endpoint, t.status] }),
    index('scim_usage_last').on(t.lastAt),
  ],
)

/** When each token last authenticated a SCIM request, and from which client. */
export const tokenUsage = sqliteTable(
  'token_usage',
  {
    tenantName: text().notNull(),
    tokenId: text().notNull(),
    lastAt: text().notNull(),
    client: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantName, t.tokenId] })],
)

/** Per tenant: the last SCIM request, and failures counted but not itemized (sampled out). */
export const tenantActivity = sqliteTable('tenant_activity', {
  tenantName: text().primaryKey(),
  lastAt: text().notNull(),
  lastClient: text().notNull(),
  lastStatus: integer().notNull(),
  unitemizedFailures: integer().notNull().default(0),
})

/**
 * Tenant deletions, one row per DELETE (the id is the handle the API answers and the Workflow
 * instance's id). At most one unfinished per tenant; finished rows stay, so a handle can still be
 * looked up after the tenant is gone. Progress is written by each round (src/deletion/).
 */
export const tenantDeletions = sqliteTable(
  'tenant_deletions',
  {
    id: text().primaryKey(),
    tenantName: text().notNull(),
    db: text().notNull(),
    requestedAt: text().notNull(),
    /** requestedAt plus the revocation delay: the final round runs after it. */
    finalRoundAfter: text().notNull(),
    rounds: integer().notNull().default(0),
    rowsDeleted: integer().notNull().default(0),
    /** Rows of the tenant still in its database after the last round; null before the first. */
    rowsLeft: integer(),
    lastRoundAt: text(),
    finishedAt: text(),
  },
  (t) => [
    uniqueIndex('tenant_deletions_running').on(t.tenantName).where(sql`${t.finishedAt} IS NULL`),
    index('tenant_deletions_tenant').on(t.tenantName, t.requestedAt),
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
    /** When the current run of failed attempts began; null after a success. */
    failingSince: text(),
    secret: text().notNull(),
    previousSecret: text(),
    previousSecretExpiresAt: text(),
    createdAt: text().notNull(),
    /** 1: each delivery carries the resource's SCIM representation read when it is sent. */
    includeResource: integer().notNull().default(0),
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
