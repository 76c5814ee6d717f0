import type { AttributeDefinition } from '../schema/attribute'
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from './ast'
import { parseDateTime } from './date-time'
import { foldCase } from './fold-case'

/**
 * Whether one element of a multi-valued attribute matches a value filter, RFC 7644 §3.4.2.2, as
 * the PATCH engine needs for `emails[type eq "work"]` (RFC 7644 §3.5.2). The filter is the one the
 * parser put in a `valuePath`: its paths name sub-attributes of the element, or the element itself.
 * `ne` is exactly `not eq`, so an element without the attribute matches `ne`.
 */
export function matchesFilter(element: unknown, filter: FilterNode): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesFilter(element, filter.left) && matchesFilter(element, filter.right)
    case 'or':
      return matchesFilter(element, filter.left) || matchesFilter(element, filter.right)
    case 'not':
      return !matchesFilter(element, filter.filter)
    case 'present':
      return isPresent(valueAt(element, filter.path))
    case 'compare': {
      const actual = valueAt(element, filter.path)
      const definition = filter.path.subAttribute ?? filter.path.attribute
      if (filter.value === null) return (filter.op === 'eq') !== isPresent(actual)
      if (filter.op === 'ne') return !test(actual, 'eq', filter.value, definition)
      return test(actual, filter.op, filter.value, definition)
    }
    case 'valuePath':
      // The parser never nests value filters (RFC 7644 §3.4.2.2 errata 4690); reaching this is a bug.
      throw new TypeError('matchesFilter: a value filter cannot contain another value filter')
  }
}

function valueAt(element: unknown, path: AttributePath): unknown {
  if (!path.subAttribute) return element
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined
  // RFC 7643 §2.1 — attribute names are case-insensitive, so a stored key may differ in case.
  const name = path.subAttribute.name.toLowerCase()
  const key = Object.keys(element).find((k) => k.toLowerCase() === name)
  return key === undefined ? undefined : (element as Record<string, unknown>)[key]
}

// RFC 7644 §3.4.2.2 — `pr`: "a non-empty value, or … a non-empty node for complex attributes".
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'string') return value.length > 0
  if (Array.isArray(value)) return value.some(isPresent)
  if (typeof value === 'object') return Object.values(value).some(isPresent)
  return true
}

function test(actual: unknown, op: CompareOperator, expected: FilterValue, definition: AttributeDefinition) {
  switch (definition.type) {
    case 'string':
    case 'reference':
    case 'binary': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false
      const fold = definition.caseExact ? (s: string) => s : foldCase
      const [a, b] = [fold(actual), fold(expected)]
      if (op === 'co') return a.includes(b)
      if (op === 'sw') return a.startsWith(b)
      if (op === 'ew') return a.endsWith(b)
      return order(op, a, b)
    }
    case 'boolean':
      return op === 'eq' && typeof actual === 'boolean' && actual === expected
    case 'integer':
    case 'decimal':
      return typeof actual === 'number' && typeof expected === 'number' && order(op, actual, expected)
    case 'dateTime': {
      const a = typeof actual === 'string' ? parseDateTime(actual) : undefined
      const b = typeof expected === 'string' ? parseDateTime(expected) : undefined
      return a !== undefined && b !== undefined && order(op, a, b)
    }
    case 'complex':
      return false
  }
}

// RFC 7644 §3.4.2.2 — strings order lexicographically, numbers numerically, dateTimes chronologically.
function order<T extends string | number>(op: CompareOperator, a: T, b: T): boolean {
  switch (op) {
    case 'eq':
      return a === b
    case 'gt':
      return a > b
    case 'ge':
      return a >= b
    case 'lt':
      return a < b
    case 'le':
      return a <= b
    default:
      return false
  }
}
