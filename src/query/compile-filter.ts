import { type SQL, sql } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { FilterNode } from '../filter/ast'
import { ScimError } from '../http/scim-error'
import { compareOperand, not, type Operand } from './compare-sql'
import { type ElementRows, elementRows, memberRows } from './element-sources'
import { MAX_FILTER_PARAMETERS } from './limits'
import { type FilterTarget, hasSchema, listPresent, rowOperand } from './row-operands'

export type { FilterTarget } from './row-operands'

type Leaf = Extract<FilterNode, { kind: 'compare' | 'present' | 'valuePath' }>

/** The boolean skeleton shared by row and element filters; `leaf` compiles the comparisons. */
function compileLogic(node: FilterNode, leaf: (node: Leaf) => SQL): SQL {
  switch (node.kind) {
    case 'and':
    case 'or':
      return balanced(
        operandsOf(node, node.kind).map((operand) => compileLogic(operand, leaf)),
        node.kind === 'and' ? sql.raw('AND') : sql.raw('OR'),
      )
    case 'not':
      return not(compileLogic(node.filter, leaf))
    default:
      return leaf(node)
  }
}

/** The operands of a chain of one operator: `a or b or c` parses as `(a or b) or c`. */
function operandsOf(node: FilterNode, kind: 'and' | 'or'): FilterNode[] {
  return node.kind === kind ? [...operandsOf(node.left, kind), ...operandsOf(node.right, kind)] : [node]
}

/**
 * Joins conditions as a balanced tree: SQLite refuses expressions deeper than 100, and the
 * left-deep chain of a filter within the parameter budget (80 comparisons) is deeper than that.
 */
function balanced(conditions: readonly SQL[], operator: SQL): SQL {
  if (conditions.length === 1) return conditions[0] as SQL
  const half = Math.ceil(conditions.length / 2)
  return sql`(${balanced(conditions.slice(0, half), operator)} ${operator} ${balanced(conditions.slice(half), operator)})`
}

/** A value filter's condition on one element of `rows`. */
function compileElementFilter(filter: FilterNode, rows: ElementRows): SQL {
  return compileLogic(filter, (node) => {
    // The parser never nests value filters (RFC 7644 §3.4.2.2).
    if (node.kind === 'valuePath') throw new TypeError('A value filter cannot contain another value filter')
    const operand: Operand = rows.operand(node.path.subAttribute)
    return node.kind === 'present' ? operand.present : compareOperand(operand, node.op, node.value)
  })
}

/** `attr[filter]` on the target: some element satisfies the filter. */
function compileValuePath(node: Extract<FilterNode, { kind: 'valuePath' }>, target: FilterTarget): SQL {
  if (!hasSchema(target, node.path.schema)) return sql`0`
  const rows = elementRows(node.path, target, node.filter)
  return rows.containing(compileElementFilter(node.filter, rows))
}

function compileLeaf(node: Leaf, target: FilterTarget): SQL {
  if (node.kind === 'valuePath') return compileValuePath(node, target)
  const { path } = node
  if (!path.attribute.multiValued) {
    const operand = rowOperand(path, target)
    return node.kind === 'present' ? operand.present : compareOperand(operand, node.op, node.value)
  }
  // RFC 7644 §3.4.2.2 — on a multi-valued attribute a comparison matches when any element matches,
  // so `emails.value eq "x"` is `emails[value eq "x"]`; `ne` is "no element equals".
  if (node.kind === 'present') {
    return path.subAttribute
      ? compileValuePath({ kind: 'valuePath', path, filter: node }, target)
      : listPresent(path, target)
  }
  if (node.value === null) {
    const present = compileLeaf({ kind: 'present', path }, target)
    return node.op === 'eq' ? not(present) : present
  }
  if (node.op === 'ne') return not(compileLeaf({ ...node, op: 'eq' }, target))
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
  checkParameterBudget(compiled)
  return compiled
}

/**
 * Compiles the value filter of a `members[…]` PATCH path (RFC 7644 §3.5.2.2) to a condition on
 * `group_members` rows, for `DELETE FROM group_members WHERE … AND (<it>)`. `$ref` comparisons need
 * the tenant's `baseUrl`.
 */
export function compileMemberFilter(filter: FilterNode, tenantId: string, baseUrl?: string): SQL {
  const compiled = compileElementFilter(filter, memberRows('group_members', tenantId, baseUrl))
  checkParameterBudget(compiled)
  return compiled
}
