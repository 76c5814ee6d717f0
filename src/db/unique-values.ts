import { type SQL, sql } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { Statement } from '../control/ports'
import { jsonPath } from '../query/compare-sql'
import type { AttributeDefinition, SchemaDefinition } from '../schema/attribute'
import { isEqualValue } from '../schema/coerce'
import type { SchemaRegistry } from '../schema/registry'

/**
 * `uniqueness: server` (RFC 7643 §2.2) for tenant-declared extension attributes, through the
 * `unique_values` table: each write claims its resource's values in its own batch, reading them back
 * from the row it just wrote, so the Worker and the tenant CLI (which claims existing values when a
 * schema is declared) store exactly the same text. The core `userName` and Group `displayName` have
 * unique columns of their own.
 */

type ResourceKind = 'User' | 'Group'

/** An extension attribute whose values must be unique among a tenant's resources of one type. */
export interface UniqueAttribute {
  readonly schema: string
  readonly attribute: AttributeDefinition
}

/** The key of an attribute in `unique_values.attribute`: `urn:…:name`, lower case as names compare. */
export const uniqueKey = (schema: string, attribute: AttributeDefinition) =>
  `${schema}:${attribute.name}`.toLowerCase()

/** The unique attributes of a schema, as the tenant schema checks allow them: single-valued and simple. */
export const uniqueAttributesOf = (schema: SchemaDefinition): UniqueAttribute[] =>
  schema.attributes
    .filter((a) => a.uniqueness === 'server' && !a.multiValued && a.type !== 'complex')
    .map((attribute) => ({ schema: schema.id, attribute }))

/** The unique extension attributes of a resource type in a tenant's registry. */
export function uniqueAttributes(registry: SchemaRegistry, type: ResourceKind): UniqueAttribute[] {
  const resourceType = registry.resourceType(type)
  if (!resourceType) return []
  return registry.schemasOf(resourceType).slice(1).flatMap(uniqueAttributesOf)
}

const tableOf = (type: ResourceKind) => sql.raw(type === 'User' ? 'users' : 'groups')

/**
 * Claims the values of `unique` held by the tenant's rows of `type` (one row when `id` is given): a
 * row per non-empty value, as `resource_folded` holds it. Fails on the unique index when another
 * resource holds the value.
 */
export function claimValues(tenantId: string, type: ResourceKind, unique: UniqueAttribute, id?: string): SQL {
  const path = jsonPath(unique.schema, unique.attribute.name)
  const one = id === undefined ? sql`` : sql` AND id = ${id}`
  return sql`INSERT INTO unique_values (tenant_id, resource_type, resource_id, attribute, value)
    SELECT tenant_id, ${type}, id, ${uniqueKey(unique.schema, unique.attribute)}, v
    FROM (SELECT tenant_id, id, resource_folded ->> ${path} AS v FROM ${tableOf(type)} WHERE tenant_id = ${tenantId}${one})
    WHERE v IS NOT NULL AND v <> ''`
}

/** Releases every value a resource claimed. */
export const releaseValues = (tenantId: string, type: ResourceKind, id: string): SQL =>
  sql`DELETE FROM unique_values WHERE tenant_id = ${tenantId} AND resource_type = ${type} AND resource_id = ${id}`

// The attribute each claim statement is for, so that a failed batch can name it (SQLite's message
// names only the index's columns).
const claimed = new WeakMap<object, string>()

/**
 * The statements that keep a resource's claims in step with the row just written (`resource`; on
 * PUT and PATCH it replaced `previous`): release its claims, then claim each unique value it now
 * has. None when the schemas holding unique attributes are unchanged by the update.
 */
export function uniqueValueStatements(
  tenantId: string,
  registry: SchemaRegistry,
  type: ResourceKind,
  id: string,
  resource: Record<string, unknown>,
  previous?: Record<string, unknown>,
): SQL[] {
  const unique = uniqueAttributes(registry, type)
  const replacing = previous !== undefined
  if (replacing && unique.every((u) => isEqualValue(previous[u.schema], resource[u.schema]))) return []
  const claims = unique.map((u) => {
    const statement = claimValues(tenantId, type, u, id)
    claimed.set(statement, `${u.schema}:${u.attribute.name}`)
    return statement
  })
  return [...(replacing ? [releaseValues(tenantId, type, id)] : []), ...claims]
}

/** The attributes (`urn:…:name`) that claim statements among `statements` claim values of. */
export const claimedAttributes = (statements: readonly object[]): string[] =>
  statements.flatMap((statement) => claimed.get(statement) ?? [])

const dialect = new SQLiteSyncDialect()
/** A statement for the control plane's ports (src/control/ports.ts), which run in the Worker and the CLI. */
const toStatement = (statement: SQL): Statement => {
  const { sql: text, params } = dialect.sqlToQuery(statement)
  return { sql: text, params }
}

/** A statement that lists values of `unique` held by more than one of the tenant's resources, with a count. */
export function duplicateValuesStatement(
  tenantId: string,
  type: ResourceKind,
  unique: UniqueAttribute,
): Statement {
  const path = jsonPath(unique.schema, unique.attribute.name)
  return toStatement(sql`SELECT v AS value, count(*) AS resources
    FROM (SELECT resource_folded ->> ${path} AS v FROM ${tableOf(type)} WHERE tenant_id = ${tenantId})
    WHERE v IS NOT NULL AND v <> '' GROUP BY v HAVING count(*) > 1 ORDER BY v LIMIT 10`)
}

/**
 * Statements that drop every claim on the attributes of `schema` and of the declaration it replaces
 * (`previous`, whose attributes may have been unique), then claims the values the tenant's resources
 * already hold for `schema`'s unique attributes.
 */
export function reclaimSchemaStatements(
  tenantId: string,
  type: ResourceKind,
  schema: SchemaDefinition | undefined,
  previous: SchemaDefinition | undefined,
): Statement[] {
  const keys = [schema, previous].flatMap((s) => (s ? s.attributes.map((a) => uniqueKey(s.id, a)) : []))
  const release = sql`DELETE FROM unique_values WHERE tenant_id = ${tenantId} AND attribute IN (${sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  )})`
  const claims = schema ? uniqueAttributesOf(schema).map((u) => claimValues(tenantId, type, u)) : []
  return (keys.length > 0 ? [release, ...claims] : claims).map(toStatement)
}
