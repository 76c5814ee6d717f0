/** The side-by-side table of `npm run bench:compare`: medians per phase, ratios, their geometric mean. */
import { median } from './bench-stats'

/** The workload's phases, in the order it runs them (../shared/bench/workload.mjs). */
export const PHASES = ['provision', 'lookup', 'list', 'groups', 'update', 'cleanup'] as const

/** One workload run: ops/s per phase (`phases[].ops_per_s` of its JSON). */
export type PhaseRates = Record<string, number>

export interface PhaseComparison {
  phase: string
  product: number[]
  peer: number[]
  productMedian: number
  peerMedian: number
  /** productMedian ÷ peerMedian. */
  ratio: number
}

export interface Comparison {
  phases: PhaseComparison[]
  geomean: number
  lowest: PhaseComparison
}

export function compare(product: PhaseRates[], peer: PhaseRates[]): Comparison {
  const phases = PHASES.map((phase) => {
    const rates = (runs: PhaseRates[]) => runs.map((run) => run[phase] ?? Number.NaN)
    const productMedian = median(rates(product))
    const peerMedian = median(rates(peer))
    return {
      phase,
      product: rates(product),
      peer: rates(peer),
      productMedian,
      peerMedian,
      ratio: productMedian / peerMedian,
    }
  })
  const geomean = Math.exp(phases.reduce((sum, p) => sum + Math.log(p.ratio), 0) / phases.length)
  const lowest = phases.reduce((low, p) => (p.ratio < low.ratio ? p : low))
  return { phases, geomean, lowest }
}

/** Issue 19's target under `npm start`: the geometric mean of the ratios, and no phase below a floor. */
const TARGET = { geomean: 1, floor: 0.2 }

/** The lowest ratio to four places, and whether the target is met, judged on the unrounded ratios. */
export function verdict(c: Comparison): string {
  const met = c.geomean >= TARGET.geomean && c.lowest.ratio >= TARGET.floor
  return (
    `Lowest ratio ${c.lowest.phase} ${c.lowest.ratio.toFixed(4)}; target (geometric mean ≥ ` +
    `${TARGET.geomean.toFixed(1)}, no phase below ${TARGET.floor}) ${met ? 'met' : 'not met'}`
  )
}

const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))

/** A Markdown table: one row per phase, the runs in brackets, then the geometric mean of the ratios. */
export function formatComparison(c: Comparison, productLabel: string): string {
  const lines = [
    `| phase | ${productLabel} ops/s (runs) | peer ops/s (runs) | ratio |`,
    '|---|---:|---:|---:|',
    ...c.phases.map(
      (p) =>
        `| ${p.phase} | **${rate(p.productMedian)}** (${p.product.map(rate).join(', ')}) | ` +
        `**${rate(p.peerMedian)}** (${p.peer.map(rate).join(', ')}) | ${p.ratio.toFixed(2)} |`,
    ),
    `| geometric mean of the ratios | | | **${c.geomean.toFixed(2)}** |`,
  ]
  return lines.join('\n')
}
