import { type SQL, sql } from 'drizzle-orm'
import type { CompareOperator, FilterValue } from '../filter/ast'
import { parseDateTime } from '../filter/date-time'
import { foldCase } from '../filter/fold-case'
import type { AttributeDefinition } from '../schema/attribute'

/**
 * One attribute value as SQL, ready to compare with a filter literal (RFC 7644 §3.4.2.2). `value` is
 * NULL when the attribute is absent; strings of `caseExact: false` attributes are case-folded (the
 * `*_folded` columns and `resource_folded`), dateTimes are `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC so that
 * text order is instant order.
 */
export interface Operand {
  readonly value: SQL
  /** True when the attribute has a non-empty value (`pr`); false or NULL otherwise. */
  readonly present: SQL
  readonly definition: AttributeDefinition
  /** An equality on it is answered through an index (a column, email value or membership row). */
  readonly indexed?: boolean
}

/** An operand for an attribute this resource type does not have: nothing matches but `ne` and `eq null`. */
export const absentOperand = (definition: AttributeDefinition): Operand => ({
  value: sql`NULL`,
  present: sql`0`,
  definition,
})

/** SCIM filters are two-valued: a NULL (absent attribute) under `not` must count as false. */
export const not = (condition: SQL) => sql`NOT coalesce(${condition}, 0)`

/** Quotes a JSON path key; keys come from schema definitions, never from requests. */
function jsonKey(name: string): string {
  if (!/^[A-Za-z0-9_$:.-]+$/.test(name)) throw new TypeError(`Unsafe attribute name in a JSON path: ${name}`)
  return `."${name}"`
}

/** `'$."a"."b"'` as an SQL string literal, built from schema names only. */
export const jsonPath = (...keys: readonly string[]) => sql.raw(`'$${keys.map(jsonKey).join('')}'`)

/** The date-time text of a JSON value in the sortable UTC form the meta columns use. */
export const instantOf = (text: SQL) => sql`strftime('%Y-%m-%dT%H:%M:%fZ', upper(${text}))`

/**
 * RFC 7644 §3.4.2.2 `pr` on a JSON value: "a non-empty value, or … a non-empty node for complex
 * attributes" — not null, not "", not [] and not {}.
 */
export function jsonPresent(document: SQL, path: SQL): SQL {
  return sql`CASE json_type(${document}, ${path}) WHEN 'text' THEN json_extract(${document}, ${path}) <> ''
    WHEN 'array' THEN json_array_length(${document}, ${path}) > 0
    WHEN 'object' THEN json_extract(${document}, ${path}) <> '{}' WHEN 'null' THEN 0
    ELSE json_type(${document}, ${path}) IS NOT NULL END`
}

/** An operand read from a JSON document (`resource_folded` of a row, or one element of a list). */
export function jsonOperand(document: SQL, path: SQL, definition: AttributeDefinition): Operand {
  const value = sql`json_extract(${document}, ${path})`
  return {
    value: definition.type === 'dateTime' ? instantOf(value) : value,
    present: jsonPresent(document, path),
    definition,
  }
}

/**
 * Compares an operand with a literal the parser checked against its type, RFC 7644 §3.4.2.2:
 * strings with the attribute's case rule, booleans as 1/0, numbers as numbers, dateTimes as
 * instants. `ne` is exactly `not eq`, so an absent attribute is `ne` anything; `eq null` means
 * "not present" and `ne null` "present".
 */
export function compareOperand(operand: Operand, op: CompareOperator, literal: FilterValue): SQL {
  if (literal === null) return op === 'eq' ? not(operand.present) : operand.present
  if (op === 'ne') return not(compareOperand(operand, 'eq', literal))
  const { value, definition } = operand
  if (typeof literal === 'boolean') return sql`${value} = ${literal ? 1 : 0}`
  if (typeof literal === 'number') return ordered(value, op, literal)
  if (definition.type === 'dateTime') return compareInstant(value, op, literal)
  const text = definition.caseExact ? literal : foldCase(literal)
  switch (op) {
    case 'co':
      return sql`instr(${value}, ${text}) > 0`
    // instr finds the first occurrence, so 1 means "starts with".
    case 'sw':
      return sql`instr(${value}, ${text}) = 1`
    case 'ew': {
      // SQLite's length and substr count code points, as the spread does.
      const length = [...text].length
      return length === 0 ? sql`instr(${value}, '') > 0` : sql`substr(${value}, ${-length}) = ${text}`
    }
    default:
      return ordered(value, op, text)
  }
}

function ordered(value: SQL, op: CompareOperator, literal: string | number): SQL {
  switch (op) {
    case 'gt':
      return sql`${value} > ${literal}`
    case 'ge':
      return sql`${value} >= ${literal}`
    case 'lt':
      return sql`${value} < ${literal}`
    case 'le':
      return sql`${value} <= ${literal}`
    default:
      return sql`${value} = ${literal}`
  }
}

const FIRST_INSTANT = Date.parse('0000-01-01T00:00:00.000Z')
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z')

/**
 * A dateTime comparison on stored instants, which have millisecond precision. The literal becomes
 * the same text form, so the meta columns' indexes serve ranges; a literal with sub-millisecond
 * digits lies strictly between two stored instants, which decides each operator.
 */
function compareInstant(value: SQL, op: CompareOperator, literal: string): SQL {
  const instant = parseDateTime(literal)
  if (instant === undefined) throw new TypeError(`Unchecked dateTime literal ${literal}`)
  const later = op === 'gt' || op === 'ge'
  if (instant < FIRST_INSTANT) return later ? sql`${value} IS NOT NULL` : sql`0`
  if (instant > LAST_INSTANT) return later || op === 'eq' ? sql`0` : sql`${value} IS NOT NULL`
  const floor = Math.floor(instant)
  const text = new Date(floor).toISOString()
  if (floor === instant) return ordered(value, op, text)
  switch (op) {
    case 'eq':
      return sql`0`
    case 'gt':
    case 'ge':
      return sql`${value} > ${text}`
    default:
      return sql`${value} <= ${text}`
  }
}
