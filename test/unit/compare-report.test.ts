import { describe, expect, it } from 'vitest'
import { compare, formatComparison } from '../../scripts/lib/compare-report'

const run = (base: number) => ({
  provision: base,
  lookup: base * 2,
  list: base / 4,
  groups: base,
  update: base,
  cleanup: base * 4,
})

describe('bench:compare report', () => {
  it('compares the medians of the runs phase by phase', () => {
    const c = compare([run(100), run(300), run(200)], [run(100), run(90), run(400)])
    const provision = c.phases.find((p) => p.phase === 'provision')!
    expect(provision.productMedian).toBe(200)
    expect(provision.peerMedian).toBe(100)
    expect(provision.ratio).toBe(2)
    expect(c.geomean).toBeCloseTo(2)
  })

  it('gives the geometric mean of the ratios and the lowest phase', () => {
    const product = { ...run(100), list: 100, cleanup: 25 }
    const c = compare([product], [run(100)])
    // Ratios 1, 1, 4, 1, 1, 1/16: their product is 1/4.
    expect(c.geomean).toBeCloseTo(0.25 ** (1 / 6))
    expect(c.lowest.phase).toBe('cleanup')
    expect(c.lowest.ratio).toBeCloseTo(1 / 16)
  })

  it('prints a row per phase with the runs and the geometric mean', () => {
    const text = formatComparison(compare([run(100)], [run(50)]), 'npm start')
    expect(text).toContain('| provision | **100** (100) | **50.0** (50.0) | 2.00 |')
    expect(text).toContain('| geometric mean of the ratios | | | **2.00** |')
  })
})
