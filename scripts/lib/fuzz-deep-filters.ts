import fc from 'fast-check'

/**
 * Deep and long filters up to the parser's limits (50 levels of nesting, 200 expressions) and just
 * past them: long and/or chains, towers of `not (`, parentheses nested on the left and on the right,
 * value filters at the bottom of a tower. SQLite refuses expression trees deeper than 100, so these
 * check that the compiler keeps every filter the parser accepts within that (issue 12, point 4).
 */

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

/** The parser's limits (src/filter/parser.ts), which the shapes reach and sometimes pass by one. */
export const FILTER_NESTING_LIMIT = 50
export const FILTER_EXPRESSION_LIMIT = 200

/** Where a filter is sent: its attributes must be the endpoint's (the root has both types'). */
export type FilterEndpoint = 'User' | 'Group' | 'root'

interface Leaves {
  /** Comparisons without a literal, so a long filter stays under the bound-parameter budget. */
  readonly bare: readonly string[]
  /** Comparisons with a literal (a bound parameter each, two at the root). */
  readonly valued: readonly string[]
  /** Value filters: a leaf that is a subquery of its own. */
  readonly valuePaths: readonly string[]
}

const USER_LEAVES: Leaves = {
  bare: [
    'title pr',
    'userName pr',
    'emails pr',
    'emails.value pr',
    'groups pr',
    'name.givenName pr',
    'meta.lastModified pr',
    `${ENTERPRISE}:manager pr`,
    'displayName pr',
    'externalId pr',
  ],
  valued: [
    'name.familyName sw "U"',
    'meta.lastModified gt "2020-01-01T00:00:00Z"',
    'emails.value ew ".com"',
    'userName ne "nobody"',
  ],
  valuePaths: ['emails[type pr and value pr]', 'groups[display pr]'],
}
const GROUP_LEAVES: Leaves = {
  bare: [
    'displayName pr',
    'members pr',
    'members.value pr',
    'externalId pr',
    'meta.lastModified pr',
    'id pr',
    'members.display pr',
    'meta.version pr',
  ],
  valued: ['displayName sw "D"', 'members.value eq "x"', 'meta.created lt "2999-01-01T00:00:00Z"'],
  valuePaths: ['members[value pr]', 'members[type pr and display pr]'],
}
const LEAVES: Record<FilterEndpoint, Leaves> = {
  User: USER_LEAVES,
  Group: GROUP_LEAVES,
  root: {
    bare: [...USER_LEAVES.bare, ...GROUP_LEAVES.bare],
    valued: [...USER_LEAVES.valued, ...GROUP_LEAVES.valued],
    valuePaths: [...USER_LEAVES.valuePaths, ...GROUP_LEAVES.valuePaths],
  },
}

export interface FilterShape {
  readonly name: string
  readonly filter: string
}

const leafAt = (leaves: readonly string[], i: number) => leaves[i % leaves.length] as string
const ops = (i: number, mix: boolean) => (mix && i % 2 === 1 ? 'or' : 'and')

/** `a and b or c …` with `n` comparisons: 2n − 1 expressions. */
export function chain(n: number, leaves: readonly string[], mix: boolean): string {
  return Array.from({ length: n }, (_, i) => leafAt(leaves, i))
    .map((leaf, i) => (i === 0 ? leaf : `${ops(i, mix)} ${leaf}`))
    .join(' ')
}

/** `not (not (… leaf …))`, `levels` deep. */
export const notTower = (levels: number, inner: string) =>
  `${'not ('.repeat(levels)}${inner}${')'.repeat(levels)}`

/** `a and (b or (c and (…)))`: a comparison and a group at each level, nested on the right. */
export function rightNested(levels: number, leaves: readonly string[], negate: boolean): string {
  let text = leafAt(leaves, levels)
  for (let i = levels - 1; i >= 0; i--) {
    const group = negate ? `not (${text})` : `(${text})`
    text = `${leafAt(leaves, i)} ${ops(i, true)} ${group}`
  }
  return text
}

/** `((((a and b) or c) and d) …)`: the groups nested on the left. */
export function leftNested(levels: number, leaves: readonly string[]): string {
  let text = leafAt(leaves, 0)
  for (let i = 1; i <= levels; i++) text = `(${text}) ${ops(i, true)} ${leafAt(leaves, i)}`
  return text
}

/** Balanced groups: `((a and b) or (c and d)) and (…)`, `levels` deep, 2^levels comparisons. */
export function balanced(levels: number, leaves: readonly string[], start = 0): string {
  if (levels === 0) return leafAt(leaves, start)
  const width = 2 ** (levels - 1)
  return `(${balanced(levels - 1, leaves, start)}) ${ops(levels, true)} (${balanced(levels - 1, leaves, start + width)})`
}

/**
 * The extreme shapes the parser accepts on an endpoint, each at its limit: 50 levels or about 200
 * expressions, with few enough literals for the parameter budget. The integration test runs each
 * against real D1.
 */
export function deepFilterShapes(endpoint: FilterEndpoint): FilterShape[] {
  const { bare, valued, valuePaths } = LEAVES[endpoint]
  const [element, sub] =
    endpoint === 'Group' ? ['members', 'value pr or type pr'] : ['emails', 'value pr or type pr']
  const valuePath =
    endpoint === 'Group'
      ? 'members[type eq "User" or (value pr and (display pr or ($ref pr)))]'
      : 'emails[type eq "work" or (value pr and (primary pr or (display pr)))]'
  return [
    { name: '100 and-ed comparisons', filter: chain(100, bare, false) },
    { name: '100 comparisons, and and or', filter: chain(100, bare, true) },
    { name: '60 comparisons, some value filters', filter: chain(60, [...bare, ...valuePaths], true) },
    { name: '50 nested not', filter: notTower(50, bare[0] as string) },
    { name: '49 nested not around 50 comparisons', filter: notTower(49, chain(50, bare, true)) },
    { name: '49 nested parentheses, right', filter: rightNested(49, bare, false) },
    { name: '49 nested not, right, with and/or', filter: rightNested(49, bare, true) },
    { name: '50 nested parentheses, left', filter: leftNested(50, bare) },
    { name: '6 balanced levels (64 comparisons)', filter: balanced(6, bare) },
    { name: 'a value filter under 45 levels of not', filter: notTower(45, `${bare[0]} and ${valuePath}`) },
    { name: '45 levels inside a value filter', filter: `${element}[${notTower(45, sub)}]` },
    { name: 'literals under 40 levels', filter: rightNested(40, [...valued.slice(0, 3), ...bare], true) },
  ].map(({ name, filter }) => ({ name: `${endpoint}: ${name}`, filter }))
}

/**
 * A deep or long filter near the limits for an endpoint, sometimes one level or expression past them
 * (a 400 then). The fuzz run asserts no 5xx for all of them.
 */
export const deepFilterText = (endpoint: FilterEndpoint): fc.Arbitrary<string> => {
  const { bare, valued, valuePaths } = LEAVES[endpoint]
  const leaf = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...bare) },
    { weight: 1, arbitrary: fc.constantFrom(...valued) },
    { weight: 1, arbitrary: fc.constantFrom(...valuePaths) },
  )
  const element = endpoint === 'Group' ? 'members' : 'emails'
  const subLeaves =
    endpoint === 'Group'
      ? ['value pr', 'type eq "User"', 'display pr']
      : ['value pr', 'type eq "work"', 'primary eq true']
  return fc
    .record({
      shape: fc.constantFrom('chain', 'not', 'right', 'rightNot', 'left', 'balanced', 'valueFilter'),
      levels: fc.oneof(
        fc.integer({ min: 1, max: FILTER_NESTING_LIMIT + 1 }),
        fc.integer({ min: FILTER_NESTING_LIMIT - 5, max: FILTER_NESTING_LIMIT + 1 }),
      ),
      width: fc.integer({ min: 2, max: FILTER_EXPRESSION_LIMIT / 2 + 1 }),
      leaves: fc.array(leaf, { minLength: 1, maxLength: 8 }),
      mix: fc.boolean(),
    })
    .map(({ shape, levels, width, leaves, mix }) => {
      switch (shape) {
        case 'chain':
          return chain(width, leaves, mix)
        case 'not':
          return notTower(levels, chain(Math.min(width, 20), leaves, mix))
        case 'right':
          return rightNested(levels, leaves, false)
        case 'rightNot':
          return rightNested(levels, leaves, true)
        case 'left':
          return leftNested(levels, leaves)
        case 'balanced':
          return balanced(Math.min(levels, 7), leaves)
        default:
          return `${element}[${notTower(levels - 1, chain(Math.min(width, 10), subLeaves, mix))}]`
      }
    })
}
