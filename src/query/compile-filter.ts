import { type SQL, sql } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { FilterNode } from '../filter/ast'
import { ScimError } from '../http/scim-error'
import { compareOperand, not, type Operand } from './compare-sql'
import { type ElementRows, elementRows, memberRows } from './element-sources'
import { type Compiled, checkDepthBudget, compileLogic, type Leaf } from './filter-logic'
import { MAX_FILTER_PARAMETERS } from './limits'
import { type FilterTarget, hasSchema, listPresent, rowOperand } from './row-operands'

export type { FilterTarget } from './row-operands'

/**
 * Heights of the SQL expressions of comparisons (upper bounds, as SQLite counts them): a value of
 * the row compared (`strftime(upper(json_extract(…))) > ?`, `NOT coalesce(… = ?, 0)` for `ne`), and
 * of one element in a value filter (a member's `display` is a subquery of its own).
 */
const ROW_COMPARISON_DEPTH = 8
const ELEMENT_COMPARISON_DEPTH = 14

/**
 * The height of `id IN (SELECT … WHERE tenant_id = ? AND <condition>)` or `EXISTS (…)` around an
 * element condition of height `depth`. SQLite counts a subquery's condition twice: in the height of
 * the expression that holds it, and again while it resolves the names inside it.
 */
const subqueryDepth = (depth: number) => 2 + 2 * (depth + 2)

/** A value filter's condition on one element of `rows`. */
function compileElementFilter(filter: FilterNode, rows: ElementRows): Compiled {
  return compileLogic(filter, (node) => {
    // The parser never nests value filters (RFC 7644 §3.4.2.2).
    if (node.kind === 'valuePath') throw new TypeError('A value filter cannot contain another value filter')
    const operand: Operand = rows.operand(node.path.subAttribute)
    const condition = node.kind === 'present' ? operand.present : compareOperand(operand, node.op, node.value)
    return { sql: condition, depth: ELEMENT_COMPARISON_DEPTH }
  })
}

/** `attr[filter]` on the target: some element satisfies the filter. */
function compileValuePath(node: Extract<FilterNode, { kind: 'valuePath' }>, target: FilterTarget): Compiled {
  if (!hasSchema(target, node.path.schema)) return { sql: sql`0`, depth: 1 }
  const rows = elementRows(node.path, target, node.filter)
  const condition = compileElementFilter(node.filter, rows)
  return { sql: rows.containing(condition.sql), depth: subqueryDepth(condition.depth) }
}

const negate = (compiled: Compiled): Compiled => ({ sql: not(compiled.sql), depth: compiled.depth + 2 })
const row = (condition: SQL): Compiled => ({ sql: condition, depth: ROW_COMPARISON_DEPTH })

function compileLeaf(node: Leaf, target: FilterTarget): Compiled {
  if (node.kind === 'valuePath') return compileValuePath(node, target)
  const { path } = node
  if (!path.attribute.multiValued) {
    const operand = rowOperand(path, target)
    return row(node.kind === 'present' ? operand.present : compareOperand(operand, node.op, node.value))
  }
  // RFC 7644 §3.4.2.2 — on a multi-valued attribute a comparison matches when any element matches,
  // so `emails.value eq "x"` is `emails[value eq "x"]`; `ne` is "no element equals".
  if (node.kind === 'present') {
    return path.subAttribute
      ? compileValuePath({ kind: 'valuePath', path, filter: node }, target)
      : { sql: listPresent(path, target), depth: subqueryDepth(ROW_COMPARISON_DEPTH) }
  }
  if (node.value === null) {
    const present = compileLeaf({ kind: 'present', path }, target)
    return node.op === 'eq' ? negate(present) : present
  }
  if (node.op === 'ne') return negate(compileLeaf({ ...node, op: 'eq' }, target))
  return compileValuePath({ kind: 'valuePath', path, filter: node }, target)
}

/** Whether some element of `rows` must equal a literal on an indexed operand (`value eq "x"` among the conjuncts). */
function pinsIndexedElement(filter: FilterNode, rows: ElementRows): boolean {
  if (filter.kind === 'and')
    return pinsIndexedElement(filter.left, rows) || pinsIndexedElement(filter.right, rows)
  return (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.value !== null &&
    rows.operand(filter.path.subAttribute).indexed === true
  )
}

/**
 * Whether every row the filter matches is found through an index equality (`userName eq`,
 * `externalId eq`, `emails[type eq "work"].value eq`, `members[value eq]`, …): such a result is a
 * handful of rows, so sorting it beats walking the whole tenant in index order. SQLite, without
 * statistics, would otherwise prefer the ordered walk for any non-unique lookup under a LIMIT.
 * An `or` is not counted: SQLite does not split it into index lookups under `tenant_id = ?`.
 */
export function isIndexedLookup(filter: FilterNode, target: FilterTarget): boolean {
  switch (filter.kind) {
    case 'and':
      return isIndexedLookup(filter.left, target) || isIndexedLookup(filter.right, target)
    case 'valuePath':
      return (
        hasSchema(target, filter.path.schema) &&
        pinsIndexedElement(filter.filter, elementRows(filter.path, target, filter.filter))
      )
    case 'compare':
      if (filter.op !== 'eq' || filter.value === null || !hasSchema(target, filter.path.schema)) return false
      if (filter.path.attribute.multiValued) {
        return isIndexedLookup({ kind: 'valuePath', path: filter.path, filter }, target)
      }
      return rowOperand(filter.path, target).indexed === true
    default:
      return false
  }
}

const dialect = new SQLiteSyncDialect()

/** The number of bound parameters the fragments need together. */
export const parameterCount = (...fragments: readonly SQL[]) =>
  fragments.reduce((n, fragment) => n + dialect.sqlToQuery(fragment).params.length, 0)

/**
 * Rejects filters whose SQL would exceed D1's 100 bound parameters a statement, RFC 7644 §3.4.2.2
 * `invalidFilter` (our limit, documented: a filter of about 40 comparisons fits).
 */
export function checkParameterBudget(...fragments: readonly SQL[]): void {
  const count = parameterCount(...fragments)
  if (count > MAX_FILTER_PARAMETERS) {
    throw ScimError.invalidFilter(
      `The filter is too complex: it needs ${count} query parameters, at most ${MAX_FILTER_PARAMETERS} are allowed`,
    )
  }
}

/**
 * Compiles a parsed filter to one SQL condition on a `users` or `groups` row, RFC 7644 §3.4.2.2:
 * indexed columns where the table has them, membership and email rows through their indexes, the
 * case-folded JSON otherwise; literals are bound parameters. The caller scopes the row to the tenant.
 */
export function compileFilter(filter: FilterNode, target: FilterTarget): SQL {
  const compiled = compileLogic(filter, (node) => compileLeaf(node, target))
  checkDepthBudget(compiled)
  checkParameterBudget(compiled.sql)
  return compiled.sql
}

/**
 * Compiles the value filter of a `members[…]` PATCH path (RFC 7644 §3.5.2.2) to a condition on
 * `group_members` rows, for `DELETE FROM group_members WHERE … AND (<it>)`. `$ref` comparisons need
 * the tenant's `baseUrl`.
 */
export function compileMemberFilter(filter: FilterNode, tenantId: string, baseUrl?: string): SQL {
  const compiled = compileElementFilter(filter, memberRows('group_members', tenantId, baseUrl))
  checkDepthBudget(compiled)
  checkParameterBudget(compiled.sql)
  return compiled.sql
}
