import type { AttributeDefinition } from '../schema/attribute'
import type { CompareOperator, FilterValue } from './ast'
import { parseDateTime } from './date-time'
import type { Fail } from './lexer'

const ORDERING = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le'])
const SUBSTRING = new Set<CompareOperator>(['co', 'sw', 'ew'])
const TEXT_TYPES = new Set(['string', 'reference', 'binary'])

/** The literal of a comparison, with where it was written for error messages. */
export interface Literal {
  readonly value: FilterValue
  readonly text: string
  readonly position: number
}

/**
 * Checks a comparison literal against the type of the attribute it is compared with and returns the
 * value to keep in the AST (RFC 7644 §3.4.2.2). Only comparisons that can never be meaningful are
 * rejected; the one coercion is `"true"`/`"false"` to a boolean, which identity providers send.
 */
export function checkComparison(
  target: AttributeDefinition,
  pathText: string,
  op: CompareOperator,
  literal: Literal,
  fail: Fail,
): FilterValue {
  const { value, text, position } = literal
  const reject = (cause: string) => fail(position, cause)
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null
    throw reject(`"${op}" cannot compare with null`)
  }
  // RFC 7644 §3.4.2.2 — gt/ge/lt/le on "Boolean and Binary attributes SHALL cause a failed response".
  if (ORDERING.has(op) && (target.type === 'boolean' || target.type === 'binary')) {
    throw reject(`"${op}" is not defined for the ${target.type} attribute "${pathText}"`)
  }
  // Substring matching is defined on text; on numbers, booleans and instants it has no meaning.
  if (SUBSTRING.has(op) && !TEXT_TYPES.has(target.type)) {
    throw reject(`"${op}" is not defined for the ${target.type} attribute "${pathText}"`)
  }
  const expected = (what: string) =>
    reject(`"${pathText}" has type ${target.type}: expected ${what}, found ${text}`)
  switch (target.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value === 'string') return value
      throw expected('a quoted string')
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
      throw expected('true or false')
    case 'integer':
    case 'decimal':
      if (typeof value === 'number') return value
      throw expected('a number')
    case 'dateTime':
      if (typeof value === 'string' && parseDateTime(value) !== undefined) return value
      throw expected('an RFC 3339 date-time string such as "2026-01-01T00:00:00Z"')
    case 'complex':
      throw reject(`"${pathText}" is complex: compare one of its sub-attributes`)
  }
}
