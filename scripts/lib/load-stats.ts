/** Every answer of a load run counted: by outcome, by scimType, by what the request was for, and timed. */
import { percentile } from './wire'

/** An answer's status, `none` when no answer came, `dropped` when wrangler dev dropped it (isDrop). */
export type Outcome = string

export interface LoadStats {
  byOutcome: Map<Outcome, number>
  byScimType: Map<string, number>
  /** Per request label (`okta create user`, …): answers by outcome. */
  byLabel: Map<string, Map<Outcome, number>>
  /** Client latency of every answer the Worker gave but the 429s (refused at once, they would flatter it). */
  latencies: number[]
}

export const newStats = (): LoadStats => ({
  byOutcome: new Map(),
  byScimType: new Map(),
  byLabel: new Map(),
  latencies: [],
})

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)

export function outcomeOf(status: number, dropped: boolean): Outcome {
  if (dropped) return 'dropped'
  return status === 0 ? 'none' : String(status)
}

/** Counts one answer. */
export function countAnswer(
  stats: LoadStats,
  label: string,
  answer: { status: number; scimType?: string | undefined; dropped: boolean; ms: number },
) {
  const outcome = outcomeOf(answer.status, answer.dropped)
  bump(stats.byOutcome, outcome)
  if (answer.scimType) bump(stats.byScimType, answer.scimType)
  const byOutcome = stats.byLabel.get(label) ?? new Map<Outcome, number>()
  stats.byLabel.set(label, bump(byOutcome, outcome))
  if (/^[2345]/.test(outcome) && outcome !== '429') stats.latencies.push(answer.ms)
}

export interface StatsSummary {
  /** Answers of the Worker, 429s included. */
  served: number
  noAnswer: number
  dropped: number
  serverErrors: number
  rateLimited: number
  perSecond: number
  medianMs: number
  p95Ms: number
  byOutcome: Record<Outcome, number>
  byScimType: Record<string, number>
  byLabel: Record<string, Record<Outcome, number>>
}

const sorted = <V>(map: Map<string, V>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)))

/** The figures of a run that lasted `seconds`. */
export function summarize(stats: LoadStats, seconds: number): StatsSummary {
  const count = (test: (outcome: Outcome) => boolean) =>
    [...stats.byOutcome].filter(([o]) => test(o)).reduce((sum, [, n]) => sum + n, 0)
  const served = count((o) => /^\d+$/.test(o))
  return {
    served,
    noAnswer: count((o) => o === 'none'),
    dropped: count((o) => o === 'dropped'),
    serverErrors: count((o) => o.startsWith('5')),
    rateLimited: count((o) => o === '429'),
    perSecond: served / seconds,
    medianMs: percentile(stats.latencies, 50),
    p95Ms: percentile(stats.latencies, 95),
    byOutcome: sorted(stats.byOutcome),
    byScimType: sorted(stats.byScimType),
    byLabel: Object.fromEntries(
      Object.entries(sorted(stats.byLabel)).map(([label, m]) => [label, sorted(m)]),
    ),
  }
}
