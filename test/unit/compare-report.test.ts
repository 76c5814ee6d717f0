import { describe, expect, it } from 'vitest'
import { compare, formatComparison, verdict } from '../../scripts/lib/compare-report'

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

  it('judges the target on the exact ratios, not the printed ones', () => {
    // Cleanup at 0.1998 prints as 0.20 in the table, yet it is below the floor of 0.2.
    const c = compare([{ ...run(100), list: 200, cleanup: 79.92 }], [run(100)])
    expect(formatComparison(c, 'npm start')).toContain('| 0.20 |')
    expect(verdict(c)).toBe(
      'Lowest ratio cleanup 0.1998; target (geometric mean ≥ 1.0, no phase below 0.2) not met',
    )
    const met = compare([{ ...run(100), list: 200, cleanup: 80 }], [run(100)])
    expect(verdict(met)).toBe(
      'Lowest ratio cleanup 0.2000; target (geometric mean ≥ 1.0, no phase below 0.2) met',
    )
  })
})
