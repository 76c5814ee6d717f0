import type { CompareOperator, FilterValue } from './ast'

/**
 * Tokens of the SCIM filter grammar, RFC 7644 §3.4.2.2 Figure 1. `position` is the 0-based offset of
 * the token's first character in the input (as in `JSON.parse` messages); `text` is its source text.
 */
export type Token =
  /** `userName`, `name.givenName`, `members.$ref`, `urn:…:2.0:User:manager.value`. */
  | { readonly kind: 'path'; readonly text: string; readonly position: number }
  /** `.value` right after `]`, as in `emails[type eq "work"].value`. */
  | { readonly kind: 'subAttr'; readonly name: string; readonly text: string; readonly position: number }
  | {
      readonly kind: 'operator'
      readonly operator: CompareOperator | 'pr'
      readonly text: string
      readonly position: number
    }
  | {
      readonly kind: 'literal'
      readonly value: FilterValue
      readonly text: string
      readonly position: number
    }
  | {
      readonly kind: 'and' | 'or' | 'not' | '(' | ')' | '[' | ']' | 'end'
      readonly text: string
      readonly position: number
    }

/** Builds the error to throw for a syntax problem at `position`; filters and PATCH paths differ only in scimType. */
export type Fail = (position: number, cause: string) => Error

const OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'])
const LITERALS = new Map<string, FilterValue>([
  ['true', true],
  ['false', false],
  ['null', null],
])
const KEYWORDS = new Set(['and', 'or', 'not'])
const PUNCTUATION = new Set(['(', ')', '[', ']'])
// A value written without quotes ends at whitespace, a parenthesis, a bracket or a quote.
const BARE = /[^\s()[\]"]+/y
// RFC 7159 §2 — insignificant whitespace; a URL-decoded `+` arrives here as a space.
const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
// ATTRNAME chars plus `$` (for `$ref`), `.` (subAttr) and `:` (schema URN prefix, whose versions carry dots).
const PATH = /[A-Za-z$][\w$.:-]*/y
// RFC 7159 §6 — number = [ minus ] int [ frac ] [ exp ].
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const NUMBER_RUN = /[\w.+-]+/y
const SUBATTR = /\.[A-Za-z$][\w$-]*/y
const HEX4 = /^[0-9A-Fa-f]{4}$/
const SIMPLE_ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
])
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Splits a filter or PATCH path into tokens, ending with an `end` token (RFC 7644 §3.4.2.2, RFC 7159 §6–7). */
export function tokenize(input: string, fail: Fail): Token[] {
  const tokens: Token[] = []
  let i = 0
  const sticky = (re: RegExp) => {
    re.lastIndex = i
    return re.exec(input)?.[0]
  }
  while (i < input.length) {
    const c = input[i] as string
    if (WHITESPACE.has(c)) {
      i++
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: c as '(' | ')' | '[' | ']', text: c, position: i })
      i++
    } else if (isBareString(tokens, input, i)) {
      const text = sticky(BARE) as string
      tokens.push({ kind: 'literal', value: text, text, position: i })
      i += text.length
    } else if (c === '"') {
      const { value, end } = readString(input, i, fail)
      tokens.push({ kind: 'literal', value, text: input.slice(i, end), position: i })
      i = end
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const text = sticky(NUMBER_RUN) ?? c
      const value = Number(text)
      if (!NUMBER.test(text)) throw fail(i, `invalid number ${text}`)
      if (!Number.isFinite(value)) throw fail(i, `number ${text} is out of range`)
      tokens.push({ kind: 'literal', value, text, position: i })
      i += text.length
    } else {
      const subAttr = c === '.' ? sticky(SUBATTR) : undefined
      const word = sticky(PATH)
      if (subAttr) tokens.push({ kind: 'subAttr', name: subAttr.slice(1), text: subAttr, position: i })
      else if (word) tokens.push(classifyWord(word, i))
      else throw fail(i, `unexpected character ${JSON.stringify(c)}`)
      i += (subAttr ?? word ?? '').length
    }
  }
  tokens.push({ kind: 'end', text: '', position: input.length })
  return tokens
}

/**
 * Microsoft's reference collection writes comparison values unquoted (`userName sw O`,
 * `emails.value co example.com`, `meta.created gt 2015-10-10T14:38:21.8617979-07:00`). Right after a
 * comparison operator, a bare token is a string unless it is `true`, `false`, `null`, `and`, `or`,
 * `not` or a JSON number; the attribute's type then checks it as it checks a quoted string (a bare
 * date-time compares as a date-time).
 */
function isBareString(tokens: readonly Token[], input: string, i: number): boolean {
  const previous = tokens.at(-1)
  if (previous?.kind !== 'operator' || previous.operator === 'pr') return false
  BARE.lastIndex = i
  const text = BARE.exec(input)?.[0]
  if (!text || text.startsWith("'")) return false
  const lower = text.toLowerCase()
  return !LITERALS.has(lower) && !KEYWORDS.has(lower) && !NUMBER.test(text)
}

// RFC 7644 §3.4.2.2 — "attribute names and attribute operators used in filters are case insensitive";
// the logical operators and JSON literals are accepted in any case too.
function classifyWord(text: string, position: number): Token {
  const lower = text.toLowerCase()
  if (OPERATORS.has(lower))
    return { kind: 'operator', operator: lower as CompareOperator | 'pr', text, position }
  if (KEYWORDS.has(lower)) return { kind: lower as 'and' | 'or' | 'not', text, position }
  if (LITERALS.has(lower))
    return { kind: 'literal', value: LITERALS.get(lower) as FilterValue, text, position }
  return { kind: 'path', text, position }
}

/** Reads the RFC 7159 §7 string starting at the quote at `start`; returns its value and the offset after it. */
function readString(input: string, start: number, fail: Fail): { value: string; end: number } {
  let value = ''
  let i = start + 1
  while (i < input.length) {
    const c = input[i] as string
    if (c === '"') {
      // A lone surrogate cannot be stored as UTF-8 nor compared meaningfully.
      if (LONE_SURROGATE.test(value)) throw fail(start, 'string contains an unpaired UTF-16 surrogate')
      return { value, end: i + 1 }
    }
    if (c < ' ') throw fail(i, `control character U+${hex(c)} must be escaped in a string`)
    if (c !== '\\') {
      value += c
      i++
      continue
    }
    const e = input[i + 1]
    if (e === 'u') {
      const digits = input.slice(i + 2, i + 6)
      if (!HEX4.test(digits)) throw fail(i, 'invalid \\u escape: expected four hex digits')
      value += String.fromCharCode(Number.parseInt(digits, 16))
      i += 6
    } else if (e !== undefined && SIMPLE_ESCAPES.has(e)) {
      value += SIMPLE_ESCAPES.get(e)
      i += 2
    } else {
      throw fail(i, `invalid escape ${JSON.stringify(`\\${e ?? ''}`)} in a string`)
    }
  }
  throw fail(start, 'unterminated string')
}

const hex = (c: string) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')
