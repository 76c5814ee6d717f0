import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * D1 tables. Every row carries its tenant, and every key and index starts with `tenant_id`, so
 * each query is scoped to one tenant by the index it uses. `*_folded` columns hold the Unicode
 * case-folded copy computed in the Worker (SQLite's lower()/NOCASE fold only ASCII).
 * `resource` holds the full SCIM resource as JSON (without `id`, `meta` and computed attributes).
 */

/** The columns every resource table has: its key, metadata and the stored JSON. */
const resourceColumns = () => ({
  tenantId: text().notNull(),
  id: text().notNull(),
  externalId: text(),
  created: text().notNull(),
  lastModified: text().notNull(),
  version: integer().notNull(),
  resource: text({ mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  /** The resource with its `caseExact: false` strings case-folded, for filters on unindexed attributes. */
  resourceFolded: text({ mode: 'json' }).notNull().$type<Record<string, unknown>>(),
})

export const users = sqliteTable(
  'users',
  {
    ...resourceColumns(),
    userName: text().notNull(),
    userNameFolded: text().notNull(),
    displayName: text(),
    displayNameFolded: text(),
    active: integer({ mode: 'boolean' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('users_tenant_user_name').on(t.tenantId, t.userNameFolded),
    index('users_tenant_external_id').on(t.tenantId, t.externalId),
    index('users_tenant_display_name').on(t.tenantId, t.displayNameFolded),
    index('users_tenant_created').on(t.tenantId, t.created, t.id),
    index('users_tenant_last_modified').on(t.tenantId, t.lastModified, t.id),
  ],
)

/** `emails` as child rows, because identity providers filter on them (`emails[type eq "work"].value eq`). */
export const userEmails = sqliteTable(
  'user_emails',
  {
    tenantId: text().notNull(),
    userId: text().notNull(),
    position: integer().notNull(),
    value: text(),
    valueFolded: text(),
    typeFolded: text(),
    primary: integer({ mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.position] }),
    index('user_emails_tenant_value').on(t.tenantId, t.valueFolded, t.userId),
  ],
)

export const groups = sqliteTable(
  'groups',
  {
    ...resourceColumns(),
    displayName: text().notNull(),
    displayNameFolded: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // Entra ID requires unique group names; RFC 7643 says uniqueness "none" (README: deviations).
    uniqueIndex('groups_tenant_display_name').on(t.tenantId, t.displayNameFolded),
    index('groups_tenant_external_id').on(t.tenantId, t.externalId),
    index('groups_tenant_created').on(t.tenantId, t.created, t.id),
    index('groups_tenant_last_modified').on(t.tenantId, t.lastModified, t.id),
  ],
)

/** Group membership as rows, so adding or removing k members costs O(k) whatever the group size. */
export const groupMembers = sqliteTable(
  'group_members',
  {
    tenantId: text().notNull(),
    groupId: text().notNull(),
    memberId: text().notNull(),
    memberType: text({ enum: ['User', 'Group'] }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.groupId, t.memberId] }),
    index('group_members_tenant_member').on(t.tenantId, t.memberId, t.groupId),
  ],
)

/**
 * Values of tenant-declared extension attributes with `uniqueness: server` (RFC 7643 §2.2), one row
 * per resource and attribute, written in the batch of each write: the unique index makes a second
 * resource with the same value fail that batch, however the writes race. `attribute` is the
 * lower-case `urn:…:name`; `value` is the value as `resource_folded` holds it (case-folded unless
 * caseExact).
 */
export const uniqueValues = sqliteTable(
  'unique_values',
  {
    tenantId: text().notNull(),
    resourceType: text({ enum: ['User', 'Group'] }).notNull(),
    resourceId: text().notNull(),
    attribute: text().notNull(),
    value: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.resourceType, t.resourceId, t.attribute] }),
    uniqueIndex('unique_values_tenant_value').on(t.tenantId, t.resourceType, t.attribute, t.value),
  ],
)

/**
 * The change log and outbox: one row per committed change, written in the same batch as the change.
 */
export const scimEvents = sqliteTable(
  'scim_events',
  {
    seq: integer().primaryKey({ autoIncrement: true }),
    // Random (122 bits or more), so unique without an index; nothing looks an event up by id, and an
    // index would cost every write a row written and a page at a random place (migration 0012).
    id: text().notNull(),
    tenantId: text().notNull(),
    resourceType: text({ enum: ['User', 'Group'] }).notNull(),
    resourceId: text().notNull(),
    operation: text().notNull(),
    attributes: text({ mode: 'json' }).$type<string[]>(),
    memberIds: text({ mode: 'json' }).$type<string[]>(),
    version: integer(),
    occurredAt: text().notNull(),
    tokenId: text(),
    deliveredAt: text(),
  },
  (t) => [
    index('scim_events_tenant_seq').on(t.tenantId, t.seq),
    index('scim_events_undelivered').on(t.seq).where(sql`delivered_at IS NULL`),
  ],
)

/**
 * Per tenant, the highest `seq` of its events the cron has pruned: a feed position below it may
 * have lost events, so the feed refuses it rather than skip them silently (src/events/feed.ts).
 */
export const scimEventHorizons = sqliteTable('scim_event_horizons', {
  tenantId: text().primaryKey(),
  prunedThrough: integer().notNull(),
})

/**
 * Never holds a row. A write batch starts with `INSERT INTO write_guard SELECT NULL WHERE <the
 * version moved>`: the NOT NULL violation aborts the whole batch exactly when a concurrent write got
 * there first, because an UPDATE that matches no row would not.
 */
export const writeGuard = sqliteTable('write_guard', {
  conflict: integer().notNull(),
})

/**
 * Never holds a row, like `write_guard`: a batch that adds members ends with an insert of NULL into
 * the column of each nesting bound the new memberships exceed, so the NOT NULL violation rolls the
 * whole batch back and names the bound (src/db/nesting-guard.ts).
 */
export const nestingGuard = sqliteTable('nesting_guard', {
  depth: integer().notNull(),
  nestedGroups: integer().notNull(),
})

/**
 * How many users and groups each tenant has, kept in the batch of every create and delete, so an
 * unfiltered `totalResults` is one row read instead of a COUNT over the tenant (linear in SQLite).
 */
export const resourceCounts = sqliteTable(
  'resource_counts',
  {
    tenantId: text().notNull(),
    resourceType: text({ enum: ['User', 'Group'] }).notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.resourceType] })],
)
