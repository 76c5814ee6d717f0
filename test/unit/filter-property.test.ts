import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from '../../src/filter/ast'
import { parseFilter, parsePatchPath } from '../../src/filter/parser'
import { ScimError } from '../../src/http/scim-error'
import type { AttributeDefinition } from '../../src/schema/attribute'
import { GROUP, registry, USER } from './filter-fixture'

const SEED = 20_260_101
const RUNS = 1000

function expectScimError(fn: () => unknown, scimType: 'invalidFilter' | 'invalidPath') {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError)
    expect(error).toMatchObject({ status: 400, scimType })
  }
}

describe('parser robustness', () => {
  const TOKENS = [
    'userName',
    'USERNAME',
    'emails',
    'emails.value',
    'name',
    'name.givenName',
    'members',
    'manager',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'urn:ietf:params:scim:schemas:core:2.0:User:',
    'tags',
    'badges.level',
    'meta.lastModified',
    'active',
    'foo',
    'eq',
    'Ne',
    'co',
    'sw',
    'ew',
    'gt',
    'ge',
    'lt',
    'le',
    'pr',
    'and',
    'OR',
    'not',
    '(',
    ')',
    '[',
    ']',
    '.value',
    '.',
    '"x"',
    '"2026-01-01T00:00:00Z"',
    '"true"',
    '"\\u00e9\\ud83d\\ude00"',
    '"\\ud800"',
    '"unterminated',
    '"\\q"',
    '1',
    '-2.5',
    '1e3',
    '01',
    '1e999',
    'true',
    'False',
    'null',
    '@',
    '\\',
    '$ref',
  ]
  const tokenSequences = fc
    .tuple(fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }), fc.constantFrom(' ', '', '  ', '\t'))
    .map(([tokens, separator]) => tokens.join(separator))
  const strings = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme-ascii' }),
  )

  it.each([
    ['random strings', strings],
    ['random token sequences', tokenSequences],
  ])('%s only ever fail with a 400 invalidFilter or invalidPath', (_, inputs) => {
    fc.assert(
      fc.property(inputs, fc.constantFrom(USER, GROUP), (input, resourceType) => {
        expectScimError(() => parseFilter(input, registry, resourceType), 'invalidFilter')
        expectScimError(() => parsePatchPath(input, registry, resourceType), 'invalidPath')
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })
})

// ===== Round trip: a generated AST, printed as filter text, parses back to itself

const resolve = (path: string): AttributePath => {
  const resolved = registry.resolve(USER, path)
  if (!resolved) throw new Error(`fixture path ${path} does not resolve`)
  return resolved
}
const typeOf = (path: AttributePath) => (path.subAttribute ?? path.attribute).type

const ALL_OPS: CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']
const OPS_BY_TYPE: Record<string, CompareOperator[]> = {
  string: ALL_OPS,
  reference: ALL_OPS,
  binary: ['eq', 'ne', 'co', 'sw', 'ew'],
  boolean: ['eq', 'ne'],
  integer: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  decimal: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  dateTime: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
}

const TRICKY = fc.constantFrom(
  '"',
  '\\',
  '/',
  '\n',
  '\u0000',
  '\u001f',
  'é',
  '😀',
  '\u2028',
  ']',
  ')',
  ' and ',
)
const dateTimes = fc
  .tuple(
    fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
  )
  .map(([date, zone]) => date.toISOString().replace('Z', zone))

function valuesOf(type: AttributeDefinition['type']): fc.Arbitrary<FilterValue> {
  switch (type) {
    case 'boolean':
      return fc.boolean()
    case 'integer':
      return fc.integer()
    case 'decimal':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n))
    case 'dateTime':
      return dateTimes
    default:
      return fc.string({
        unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), TRICKY),
      })
  }
}

function comparisons(path: AttributePath): fc.Arbitrary<FilterNode> {
  const ops = OPS_BY_TYPE[typeOf(path)] ?? []
  const compare = fc
    .tuple(fc.constantFrom(...ops), valuesOf(typeOf(path)))
    .map(([op, value]): FilterNode => ({ kind: 'compare', path, op, value }))
  const nullCompare = fc.constantFrom<FilterNode>(
    { kind: 'compare', path, op: 'eq', value: null },
    { kind: 'compare', path, op: 'ne', value: null },
  )
  return fc.oneof({ weight: 6, arbitrary: compare }, nullCompare)
}

const TOP_COMPARED = [
  'userName',
  'displayName',
  'name.givenName',
  'title',
  'active',
  'profileUrl',
  'meta.lastModified',
  'emails.value',
  'emails.type',
  'emails.primary',
  'x509Certificates.value',
  'employeeNumber',
  'manager.value',
  'loginCount',
  'score',
  'code',
  'tags',
  'badges.earned',
].map(resolve)
const TOP_PRESENT = ['title', 'name', 'emails', 'manager', 'meta', 'tags', 'badges.level'].map(resolve)

const elementPaths = (parent: string) => {
  const path = resolve(parent)
  const subs = path.attribute.subAttributes?.map((subAttribute) => ({ ...path, subAttribute }))
  return subs ?? [path]
}
const VALUE_PATHS = ['emails', 'addresses', 'badges', 'tags'].map((name) => ({
  path: resolve(name),
  elements: elementPaths(name),
}))

const leaf = (compared: AttributePath[], present: AttributePath[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...compared).chain(comparisons) },
    fc.constantFrom(...present).map((path): FilterNode => ({ kind: 'present', path })),
  )

const logic = (inner: fc.Arbitrary<FilterNode>) =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom('and' as const, 'or' as const), inner, inner)
      .map(([kind, left, right]): FilterNode => ({ kind, left, right })),
    inner.map((filter): FilterNode => ({ kind: 'not', filter })),
  )

function elementFilter(paths: AttributePath[]): fc.Arbitrary<FilterNode> {
  const node: fc.Memo<FilterNode> = fc.memo((depth) =>
    depth <= 1
      ? leaf(paths, paths)
      : fc.oneof({ weight: 2, arbitrary: leaf(paths, paths) }, logic(node(depth - 1))),
  )
  return node(3)
}

const valuePaths = fc
  .constantFrom(...VALUE_PATHS)
  .chain(({ path, elements }) =>
    elementFilter(elements).map((filter): FilterNode => ({ kind: 'valuePath', path, filter })),
  )

// Depth 5 keeps a filter under the parser's 200-expression limit: at most 16 leaves of at most 8 nodes.
const filter: fc.Memo<FilterNode> = fc.memo((depth) => {
  const base = fc.oneof({ weight: 3, arbitrary: leaf(TOP_COMPARED, TOP_PRESENT) }, valuePaths)
  return depth <= 1 ? base : fc.oneof(base, logic(filter(depth - 1)))
})

/** mulberry32: the printer's choices, reproducible from the seed fast-check reports. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * Prints an AST as filter text, choosing at random among the spellings that must parse to it: letter
 * case, URN-qualified names, `emails` for `emails.value`, `"true"` for `true`, `\uXXXX` escapes, extra
 * parentheses and `attr[filter].sub op value` for a value filter ending in `and sub op value`.
 */
function printer(seed: number) {
  const next = random(seed)
  const coin = (p = 0.5) => next() < p
  const mangle = (word: string) =>
    coin(0.3) ? [...word].map((c) => (coin() ? c.toUpperCase() : c.toLowerCase())).join('') : word
  const sp = () => (coin(0.2) ? '  ' : ' ')
  const escapeUnicode = (json: string) =>
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

  const value = (v: FilterValue) => {
    if (typeof v === 'boolean' && coin(0.3)) return JSON.stringify(mangle(String(v)))
    if (typeof v === 'boolean' || v === null) return mangle(String(v))
    return coin(0.3) ? escapeUnicode(JSON.stringify(v)) : JSON.stringify(v)
  }
  const topPath = (p: AttributePath, compared: boolean) => {
    const implicitValue =
      compared && p.attribute.type === 'complex' && p.subAttribute?.name === 'value' && coin()
    const names = `${p.attribute.name}${p.subAttribute && !implicitValue ? `.${p.subAttribute.name}` : ''}`
    return mangle(coin(0.3) ? `${p.schema}:${names}` : names)
  }
  const elementPath = (p: AttributePath) => mangle(p.subAttribute?.name ?? 'value')
  const precedence = (n: FilterNode) => (n.kind === 'or' ? 1 : n.kind === 'and' ? 2 : 3)

  function expression(n: FilterNode, inside: boolean): string {
    const path = (p: AttributePath, compared: boolean) => (inside ? elementPath(p) : topPath(p, compared))
    switch (n.kind) {
      case 'compare':
        return `${path(n.path, true)}${sp()}${mangle(n.op)}${sp()}${value(n.value)}`
      case 'present':
        return `${path(n.path, false)}${sp()}${mangle('pr')}`
      case 'and':
      case 'or': {
        const side = (child: FilterNode, right: boolean) => {
          const text = print(child, inside)
          const p = precedence(child)
          return p < precedence(n) || (right && p === precedence(n)) ? `(${text})` : text
        }
        return `${side(n.left, false)}${sp()}${mangle(n.kind)}${sp()}${side(n.right, true)}`
      }
      case 'not':
        return `${mangle('not')}${coin() ? ' ' : ''}(${print(n.filter, inside)})`
      case 'valuePath': {
        const attr = topPath(n.path, false)
        const { filter } = n
        if (filter.kind === 'and' && filter.right.kind !== 'and' && filter.right.kind !== 'or' && coin()) {
          const last = filter.right
          if (last.kind === 'compare' || last.kind === 'present') {
            const tail = expression(last, true)
            return `${attr}[${print(filter.left, true)}].${tail}`
          }
        }
        return `${attr}[${print(filter, true)}]`
      }
    }
  }
  function print(n: FilterNode, inside = false): string {
    const text = expression(n, inside)
    return coin(0.1) ? `(${text})` : text
  }
  return print
}

describe('round trip', () => {
  it('parses a printed AST back to the same AST', () => {
    fc.assert(
      fc.property(filter(5), fc.integer(), (ast, seed) => {
        const text = printer(seed)(ast)
        expect(parseFilter(text, registry, USER), text).toEqual(ast)
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })
})
