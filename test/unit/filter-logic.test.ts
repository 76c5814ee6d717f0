import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { chain, notTower, rightNested } from '../../scripts/lib/fuzz-deep-filters'
import type { FilterNode } from '../../src/filter/ast'
import { parseFilter } from '../../src/filter/parser'
import { compileFilter } from '../../src/query/compile-filter'
import { compileLogic, type Leaf, type Logic, normalize } from '../../src/query/filter-logic'
import { MAX_FILTER_SQL_DEPTH } from '../../src/query/limits'
import { registry, USER } from './filter-fixture'

const target = { resourceType: USER, alias: 'u', tenantId: 't1', baseUrl: 'https://t1.example/scim/v2' }
const parse = (filter: string) => parseFilter(filter, registry, USER)
/** The depth the compiler counts for a filter, each comparison counted as 1. */
const depthOf = (filter: string) => compileLogic(parse(filter), () => ({ sql: sql`1`, depth: 1 })).depth

describe('and/or chains and negations are reshaped before SQL (issue 12, point 4)', () => {
  it('joins a chain of n comparisons as a balanced tree, about log2(n) deep', ({ expect }) => {
    expect(depthOf(chain(45, ['title pr'], false))).toBe(1 + Math.ceil(Math.log2(45)))
    expect(depthOf(chain(100, ['title pr', 'userName pr'], true))).toBeLessThanOrEqual(1 + 7 * 2)
  })

  it('cancels nested not in pairs', ({ expect }) => {
    expect(depthOf(notTower(50, 'title pr'))).toBe(1)
    expect(depthOf(notTower(25, 'title pr'))).toBe(3)
    expect(normalize(parse(notTower(25, 'title pr and userName pr')))).toMatchObject({
      kind: 'any',
      items: [{ negated: true }, { negated: true }],
    })
  })

  it('puts a deep group near the root of its chain', ({ expect }) => {
    const deep = `(${rightNested(10, ['title pr', 'userName pr'], false)})`
    expect(depthOf(deep)).toBe(11)
    // Eight more comparisons are three levels of their own: they join on the shallow side.
    expect(depthOf(`${chain(8, ['nickName pr'], false)} and ${deep}`)).toBeLessThanOrEqual(12)
  })

  it('keeps every filter the parser accepts with 50 levels of and/or within the budget', ({ expect }) => {
    for (const leaves of [['title pr'], ['userName ne "x"', 'meta.created gt "2026-01-01T00:00:00Z"']]) {
      expect(() => compileFilter(parse(rightNested(49, leaves, false)), target)).not.toThrow()
      expect(() => compileFilter(parse(rightNested(49, leaves, true)), target)).not.toThrow()
    }
  })

  it('refuses a filter whose SQL would be too deep with invalidFilter naming the limit', ({ expect }) => {
    const deep = `emails[${rightNested(45, ['value pr', 'type pr'], false)}]`
    expect(() => compileFilter(parse(deep), target)).toThrow(
      expect.objectContaining({
        status: 400,
        scimType: 'invalidFilter',
        message: expect.stringContaining(`at most ${MAX_FILTER_SQL_DEPTH}`),
      }),
    )
  })
})

/** Two-valued evaluation of a parsed filter and of its normal form, comparisons read from `truth`. */
const evaluate = (node: FilterNode, truth: (leaf: Leaf) => boolean): boolean => {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, truth) && evaluate(node.right, truth)
    case 'or':
      return evaluate(node.left, truth) || evaluate(node.right, truth)
    case 'not':
      return !evaluate(node.filter, truth)
    default:
      return truth(node)
  }
}
const evaluateLogic = (logic: Logic, truth: (leaf: Leaf) => boolean): boolean => {
  if (logic.kind === 'leaf') return truth(logic.leaf) !== logic.negated
  const values = logic.items.map((item) => evaluateLogic(item, truth))
  return logic.kind === 'all' ? values.every(Boolean) : values.some(Boolean)
}

describe('the normal form means the same as the filter', () => {
  const LEAVES = ['title pr', 'userName pr', 'nickName pr', 'active eq true']
  const filter = fc.letrec<{ f: string }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(...LEAVES),
      fc.tuple(tie('f'), fc.constantFrom('and', 'or'), tie('f')).map(([l, o, r]) => `${l} ${o} ${r}`),
      tie('f').map((f) => `not (${f})`),
      tie('f').map((f) => `(${f})`),
    ),
  })).f

  it('for every assignment of its comparisons', ({ expect }) => {
    fc.assert(
      fc.property(filter, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (text, bits) => {
        const node = parse(text)
        const truth = (leaf: Leaf) =>
          bits[LEAVES.findIndex((l) => l.startsWith(leaf.path.attribute.name))] ?? false
        expect(evaluateLogic(normalize(node), truth)).toBe(evaluate(node, truth))
      }),
      { seed: 20_261_206, numRuns: 2000 },
    )
  })
})
