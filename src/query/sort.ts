import { type SQL, sql } from 'drizzle-orm'
import { type AttributePath, impliedValue, isNeverReturned } from '../filter/ast'
import { ScimError } from '../http/scim-error'
import type { ResourceTypeDefinition } from '../schema/attribute'
import type { SchemaRegistry } from '../schema/registry'
import { elementRows } from './element-sources'
import { column, type FilterTarget, hasSchema, isCore, isUserTarget, rowOperand } from './row-operands'

/** A sort key value as D1 returns it, kept in cursors to resume after a row. */
export type SortValue = string | number | null

/** The position of a row in the order: its sort key and its id (the tie-break). */
export interface RowPosition {
  readonly key: SortValue
  readonly id: string
}

/** What the rows are ordered by on one resource type: a value per row, and whether it can be NULL. */
export interface SortKey {
  readonly value: SQL
  readonly nullable: boolean
}

const invalidSort = (detail: string) => ScimError.invalidValue(`sortBy: ${detail}`)

/**
 * Resolves `sortBy` for each resource type searched, RFC 7644 §3.4.2.3: any letter case, URN-qualified
 * or not; a complex attribute must be named by a sub-attribute (`name.familyName`), a multi-valued one
 * sorts by its `value`. At the root, a type without the attribute sorts as if it had no value.
 */
export function resolveSortBy(
  sortBy: string,
  registry: SchemaRegistry,
  resourceTypes: readonly ResourceTypeDefinition[],
): (AttributePath | undefined)[] {
  const paths = resourceTypes.map((rt) => registry.resolve(rt, sortBy))
  if (paths.every((p) => p === undefined)) throw invalidSort(`unknown attribute "${sortBy}"`)
  return paths.map((path) => {
    if (path && isNeverReturned(path))
      throw invalidSort(`"${sortBy}" is never returned, so it cannot be sorted by`)
    if (!path || path.subAttribute || path.attribute.type !== 'complex') return path
    const value = impliedValue(path)
    if (!path.attribute.multiValued || !value) {
      throw invalidSort(`"${sortBy}" is complex: sort by one of its sub-attributes, e.g. name.familyName`)
    }
    return value
  })
}

// Row values that are never NULL (NOT NULL columns or values derived from them).
const NEVER_NULL = new Set([
  'id',
  'meta.created',
  'meta.lastmodified',
  'meta.resourcetype',
  'meta.location',
  'meta.version',
])

function neverNull(path: AttributePath, target: FilterTarget): boolean {
  if (!hasSchema(target, path.schema) || path.attribute.multiValued) return false
  const name = `${path.attribute.name}${path.subAttribute ? `.${path.subAttribute.name}` : ''}`.toLowerCase()
  const own = isUserTarget(target) ? 'username' : 'displayname'
  return isCore(target, path, path.attribute.name) && (NEVER_NULL.has(name) || name === own)
}

/**
 * The sort key of the target's rows, RFC 7644 §3.4.2.3: the attribute's value with its case rule
 * (case-folded for caseExact: false), the primary element's value (else the first one's) for a
 * multi-valued attribute; creation time without `sortBy`.
 */
export function sortKeyOf(path: AttributePath | undefined, target: FilterTarget): SortKey {
  if (!path) return { value: column(target, 'created'), nullable: false }
  if (!hasSchema(target, path.schema)) return { value: sql`NULL`, nullable: true }
  if (!path.attribute.multiValued)
    return { value: rowOperand(path, target).value, nullable: !neverNull(path, target) }
  const rows = elementRows(path, target, { kind: 'present', path })
  return { value: rows.first(path.subAttribute), nullable: true }
}

/**
 * ORDER BY over the page columns `sk` and `id`. RFC 7644 §3.4.2.3 — rows without a value come last
 * ascending and first descending, so descending is exactly ascending reversed; `id` breaks ties so
 * the order is total and paging never repeats or skips a row. `sortFound` orders by expressions
 * (unary +) that no index provides, so SQLite finds the rows through the filter's index and sorts them.
 */
export function orderBy(nullable: boolean, ascending: boolean, sortFound: boolean): SQL {
  const direction = sql.raw(ascending ? 'ASC' : 'DESC')
  const [sk, id] = sortFound ? [sql`+sk`, sql`+id`] : [sql`sk`, sql`id`]
  const nulls = nullable ? sql`${sk} IS NULL ${direction}, ` : sql``
  return sql`${nulls}${sk} ${direction}, ${id} ${direction}`
}

/**
 * The rows after `position` in the order (keyset paging, RFC 9865): a row-value comparison that
 * the (tenant_id, created, id) style indexes serve, with NULL keys handled explicitly.
 */
export function seekAfter(key: SortKey, id: SQL, position: RowPosition, ascending: boolean): SQL {
  const value = key.value
  const after = sql.raw(ascending ? '>' : '<')
  if (!key.nullable) return sql`(${value}, ${id}) ${after} (${position.key}, ${position.id})`
  if (position.key === null) {
    return ascending
      ? sql`(${value} IS NULL AND ${id} > ${position.id})`
      : sql`(${value} IS NOT NULL OR ${id} < ${position.id})`
  }
  const beyond = sql`(${value} ${after} ${position.key} OR (${value} = ${position.key} AND ${id} ${after} ${position.id}))`
  return ascending ? sql`(${value} IS NULL OR ${beyond})` : sql`(${value} IS NOT NULL AND ${beyond})`
}
