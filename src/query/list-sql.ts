import { type SQL, sql } from 'drizzle-orm'
import type { ProjectionRequest } from '../projection/project'
import type { ResourceTypeDefinition } from '../schema/attribute'
import { column, type FilterTarget } from './row-operands'
import { orderBy, type RowPosition, type SortKey, seekAfter } from './sort'

/** One resource type searched by a list request: its rows, compiled filter, sort key and projection. */
export interface Arm {
  readonly kind: 'User' | 'Group'
  readonly resourceType: ResourceTypeDefinition
  readonly target: FilterTarget
  readonly filter: SQL | undefined
  readonly key: SortKey
  /** The filter finds its rows through an index equality, so they are few (see `isIndexedLookup`). */
  readonly indexedLookup: boolean
  readonly projection: ProjectionRequest
}

/** Which rows of the ordered, filtered set one page query reads. */
export interface PageWindow {
  readonly ascending: boolean
  /** Keyset paging: only rows after this one (in the direction of `ascending`). */
  readonly after?: RowPosition
  readonly limit: number
  /** Index paging: rows to skip (startIndex − 1). */
  readonly offset: number
}

const TABLES = { User: 'users', Group: 'groups' } as const

/** The SQL alias of each table's rows in list queries. */
export const ALIASES = { User: 'u', Group: 'g' } as const

/** `tenant_id = ?` first, then the filter and the keyset position, on one arm's rows. */
function conditions(arm: Arm, extra: readonly SQL[]): SQL {
  const all = [sql`${column(arm.target, 'tenant_id')} = ${arm.target.tenantId}`, ...extra]
  if (arm.filter) all.splice(1, 0, sql`(${arm.filter})`)
  return sql.join(all, sql` AND `)
}

const from = (arm: Arm) => sql.raw(`${TABLES[arm.kind]} ${arm.target.alias}`)

/** Whether any arm's sort key can be NULL; the order must then place NULLs the same way for all arms. */
export const nullableOrder = (arms: readonly Arm[]) => arms.some((a) => a.key.nullable)

/** The columns of a page's rows: all of them, or only what the reads of computed attributes need. */
const PAGE_COLUMNS = {
  rows: ['type', 'id', 'created', 'lastModified', 'version', 'resource', 'sk'],
  ids: ['type', 'id', 'sk'],
} as const

type PageColumn = (typeof PAGE_COLUMNS)['rows'][number]

function columnsOf(arm: Arm): Record<PageColumn, SQL> {
  const c = (name: string) => column(arm.target, name)
  return {
    type: sql.raw(`'${arm.kind}'`),
    id: c('id'),
    created: c('created'),
    lastModified: c('last_modified'),
    version: c('version'),
    resource: c('resource'),
    sk: arm.key.value,
  }
}

function pageOf(arms: readonly Arm[], window: PageWindow, columns: keyof typeof PAGE_COLUMNS): SQL {
  const nullable = nullableOrder(arms)
  const selects = arms.map((arm) => {
    const key = { value: arm.key.value, nullable }
    const seek = window.after
      ? [seekAfter(key, column(arm.target, 'id'), window.after, window.ascending)]
      : []
    const values = columnsOf(arm)
    const list = PAGE_COLUMNS[columns].map((name) => sql`${values[name]} AS ${sql.raw(name)}`)
    return sql`SELECT ${sql.join(list, sql`, `)} FROM ${from(arm)} WHERE ${conditions(arm, seek)}`
  })
  const offset = window.offset > 0 ? sql` OFFSET ${window.offset}` : sql``
  return sql`SELECT ${sql.raw(PAGE_COLUMNS[columns].join(', '))} FROM (${sql.join(selects, sql` UNION ALL `)})
    ORDER BY ${orderBy(
      nullable,
      window.ascending,
      arms.every((a) => a.indexedLookup),
    )} LIMIT ${window.limit}${offset}`
}

/**
 * One page of the filtered, ordered set: each resource type's rows as columns `type, id, created,
 * lastModified, version, resource, sk` (sk: the sort key), UNION ALL at the root (RFC 7644 §3.4.3).
 * SQLite flattens the single-type form, so ORDER BY and the keyset use the (tenant_id, created, id)
 * indexes; LIMIT/OFFSET serve startIndex.
 */
export const pageQuery = (arms: readonly Arm[], window: PageWindow): SQL => pageOf(arms, window, 'rows')

/**
 * The same page as `type, id, sk`, for the reads of its computed attributes. Unfiltered, the
 * (tenant_id, created, id) index alone answers it, where the whole rows would be read and copied
 * once more. Filtered, it is the page whole: reading only ids, SQLite would prefer a scan of that
 * index to the filter's own (test/integration/query-plans.test.ts).
 */
export const pageIdsQuery = (arms: readonly Arm[], window: PageWindow): SQL =>
  pageOf(arms, window, arms.some((arm) => arm.filter) ? 'rows' : 'ids')

/** The size of one arm's filtered set, as a row `n`; unfiltered, the kept count (COUNT is linear in SQLite). */
function countOf(arm: Arm): SQL {
  if (arm.filter) return sql`SELECT count(*) AS n FROM ${from(arm)} WHERE ${conditions(arm, [])}`
  return sql`SELECT coalesce((SELECT count FROM resource_counts
    WHERE tenant_id = ${arm.target.tenantId} AND resource_type = ${sql.raw(`'${arm.kind}'`)}), 0) AS n`
}

/**
 * `totalResults`, RFC 7644 §3.4.2: the size of the whole filtered set, whatever the page. The counts
 * are rows of a FROM subquery, not scalar subqueries of an expression: SQLite would count the
 * filter's height twice in an expression (see MAX_FILTER_SQL_DEPTH).
 */
export function countQuery(arms: readonly Arm[]): SQL {
  return sql`SELECT sum(n) AS total FROM (${sql.join(arms.map(countOf), sql` UNION ALL `)})`
}
