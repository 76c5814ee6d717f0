import { type SQL, sql } from 'drizzle-orm'
import type { FilterNode } from '../filter/ast'
import { ScimError } from '../http/scim-error'
import { not } from './compare-sql'
import { MAX_FILTER_SQL_DEPTH } from './limits'

/**
 * The boolean skeleton of a filter as the SQL is built from it. SQLite refuses expression trees
 * deeper than 100 ("Expression tree is too large"), and a parsed filter is a binary tree as deep as
 * it is long (`a and b and …` nests once per `and`), so the compiler reshapes it: negations pushed
 * down to the comparisons, and/or chains made n-ary and joined as balanced trees. Every fragment
 * carries the depth its SQL expression will have, so that a filter that would still be too deep is
 * refused with a SCIM error rather than failing in D1.
 */

/** A comparison of the filter grammar: what `not`, `and` and `or` combine. */
export type Leaf = Extract<FilterNode, { kind: 'compare' | 'present' | 'valuePath' }>

/** A filter in negation normal form, with n-ary `and` (all) and `or` (any). */
export type Logic =
  | { readonly kind: 'all' | 'any'; readonly items: readonly Logic[] }
  | { readonly kind: 'leaf'; readonly leaf: Leaf; readonly negated: boolean }

/** An SQL condition and the height of its expression tree, as SQLite counts it (an upper bound). */
export interface Compiled {
  readonly sql: SQL
  readonly depth: number
}

// `NOT coalesce(x, 0)`: two nodes above x.
const NOT_DEPTH = 2

/**
 * The filter in negation normal form (De Morgan). Filters are two-valued — an absent value is false,
 * and `not` coalesces NULL to false — so `not (a and b)` is exactly `not a or not b` and
 * `not (not a)` is `a`.
 */
export function normalize(node: FilterNode, negated = false): Logic {
  switch (node.kind) {
    case 'not':
      return normalize(node.filter, !negated)
    case 'and':
    case 'or': {
      const kind = (node.kind === 'and') !== negated ? 'all' : 'any'
      const items = [node.left, node.right].flatMap((child) => {
        const item = normalize(child, negated)
        return item.kind === kind ? item.items : [item]
      })
      return { kind, items }
    }
    default:
      return { kind: 'leaf', leaf: node, negated }
  }
}

/**
 * Joins conditions with AND or OR as a tree of least height: the two shallowest are joined first
 * (as in Huffman coding, with max instead of sum), so a long chain of comparisons is about log2(n)
 * deep and a deep group goes near the root.
 */
function joinBalanced(parts: readonly Compiled[], operator: 'AND' | 'OR'): Compiled {
  const join = sql.raw(` ${operator} `)
  let queue = [...parts]
  while (queue.length > 1) {
    queue.sort((a, b) => a.depth - b.depth)
    const [a, b, ...rest] = queue as [Compiled, Compiled, ...Compiled[]]
    queue = [...rest, { sql: sql`(${a.sql}${join}${b.sql})`, depth: Math.max(a.depth, b.depth) + 1 }]
  }
  const [only] = queue
  if (!only) throw new TypeError('An and/or without operands')
  return only
}

/** Builds the SQL of a normalized filter; `leaf` compiles one comparison. */
export function emit(logic: Logic, leaf: (node: Leaf) => Compiled): Compiled {
  if (logic.kind === 'leaf') {
    const compiled = leaf(logic.leaf)
    return logic.negated ? { sql: not(compiled.sql), depth: compiled.depth + NOT_DEPTH } : compiled
  }
  return joinBalanced(
    logic.items.map((item) => emit(item, leaf)),
    logic.kind === 'all' ? 'AND' : 'OR',
  )
}

/** Compiles a filter with its depth; `leaf` compiles one comparison. */
export const compileLogic = (filter: FilterNode, leaf: (node: Leaf) => Compiled): Compiled =>
  emit(normalize(filter), leaf)

/**
 * Refuses a filter whose SQL would be deeper than SQLite allows, RFC 7644 §3.4.2.2 `invalidFilter`
 * (our limit, documented). Only filters nested many levels with `and` and `or` alternating, or deep
 * inside a value filter, come near it.
 */
export function checkDepthBudget(compiled: Compiled): void {
  if (compiled.depth > MAX_FILTER_SQL_DEPTH) {
    throw ScimError.invalidFilter(
      `The filter is nested too deeply: its SQL condition would be ${compiled.depth} levels deep, at most ${MAX_FILTER_SQL_DEPTH} are allowed (alternate "and" and "or" less deeply)`,
    )
  }
}
