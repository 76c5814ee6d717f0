import type { BenchCase, Scaling } from './bench-cases'
import type { Log, ScimClient } from './bench-client'
import { median, parseServerTiming, percentile } from './bench-stats'

/** Untimed requests before the samples: the first ones compile the Worker's code paths. */
export const WARMUPS = 5
// Bounds a case: a request this slow is a finding in itself, not worth waiting longer for.
const REQUEST_TIMEOUT_MS = 30_000
// Bounds a case's wall time (all sizes together): a request of seconds stops after fewer samples,
// at least MIN_SAMPLES, and the table says how many. Warm-ups stop after WARMUP_BUDGET_MS.
export const CASE_BUDGET_S = 90
const CASE_BUDGET_MS = CASE_BUDGET_S * 1000
const WARMUP_BUDGET_MS = 5_000
const MIN_SAMPLES = 5

/** One case's figures, as printed and as `--json` gives them. */
export interface CaseResult {
  key: string
  label: string
  scaling: Scaling
  read: boolean
  note: string
  samples: number
  medianMs: number
  p95Ms: number
  /** The Worker's own time (Server-Timing `total`), without the HTTP hop. */
  serverMedianMs: number
  d1MedianMs: number
  /** D1 round trips per request: the fewest and the most seen (Server-Timing `d1`). */
  roundTrips: { min: number; max: number }
  /** Answers that were wrong (status or totals), with the first one's reason. */
  wrong: number
  firstWrong?: string | undefined
}

/** mulberry32: a seeded random, so two runs (1k and 100k users) query the same positions. */
export function seededPick(seed: number) {
  let state = seed >>> 0
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

/** One size's side of a case: its tenant's client and the case built on its directory. */
export interface CaseTarget {
  api: ScimClient
  c: BenchCase
}

interface Samples {
  latencies: number[]
  server: number[]
  d1: number[]
  trips: number[]
  wrong: number
  firstWrong?: string
}

function summarize(c: BenchCase, samples: number, got: Samples): CaseResult {
  return {
    key: c.key,
    label: c.label,
    scaling: c.scaling,
    read: c.read,
    note: c.note,
    samples,
    medianMs: median(got.latencies),
    p95Ms: percentile(got.latencies, 95),
    serverMedianMs: median(got.server),
    d1MedianMs: median(got.d1),
    // NaN when the Worker sent no Server-Timing (it always should).
    roundTrips: got.trips.length
      ? { min: Math.min(...got.trips), max: Math.max(...got.trips) }
      : { min: Number.NaN, max: Number.NaN },
    wrong: got.wrong,
    firstWrong: got.firstWrong,
  }
}

/**
 * Runs WARMUPS then `samples` requests of one case on each target (one per directory size), one
 * request at a time, interleaved: sample s on every target, in alternating order, so that the load
 * of a shared machine falls on all sizes alike and their ratio stays meaningful.
 */
export async function measureCase(targets: CaseTarget[], samples: number, log: Log): Promise<CaseResult[]> {
  // The same seed on each target: every size is asked for the same user numbers.
  const picks = targets.map(() => seededPick(0x5c1a))
  const got = targets.map((): Samples => ({ latencies: [], server: [], d1: [], trips: [], wrong: 0 }))
  const started = performance.now()
  let warmups = WARMUPS
  let taken = 0
  for (let s = 0; s < warmups + samples; s++) {
    const elapsed = performance.now() - started
    if (s < warmups && elapsed > WARMUP_BUDGET_MS) warmups = s
    if (s >= warmups && taken >= MIN_SAMPLES && elapsed > CASE_BUDGET_MS) break
    if (s >= warmups) taken++
    const order = targets.map((_, t) => t)
    if (s % 2 === 1) order.reverse()
    for (const t of order) {
      const { api, c } = targets[t]!
      const g = got[t]!
      const { method, path, body } = c.request(s, picks[t]!)
      const answer = await api.send(method, path, body, REQUEST_TIMEOUT_MS)
      const problem = c.check(answer)
      if (problem) {
        g.wrong++
        g.firstWrong ??= problem
      }
      if (s < warmups) continue
      const timing = parseServerTiming(answer.headers['server-timing'])
      g.latencies.push(answer.ms)
      if (timing.totalMs !== undefined) g.server.push(timing.totalMs)
      if (timing.d1Ms !== undefined) g.d1.push(timing.d1Ms)
      if (timing.d1RoundTrips !== undefined) g.trips.push(timing.d1RoundTrips)
    }
  }
  const results = targets.map(({ c }, t) => summarize(c, taken, got[t]!))
  const figures = results.map(
    (r) =>
      `median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms` +
      (r.wrong ? `, ${r.wrong} WRONG: ${r.firstWrong}` : ''),
  )
  log(`  ${targets[0]!.c.label}: ${figures.join(' | ')}`)
  return results
}
