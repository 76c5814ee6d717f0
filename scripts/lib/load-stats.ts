/** Every answer of a load run counted: by status, by scimType, by what the request was for, and timed. */
import { percentile } from './wire'

export interface LoadStats {
  byStatus: Map<number, number>
  byScimType: Map<string, number>
  /** Per request label (`create user`, …): answers by status. */
  byLabel: Map<string, Map<number, number>>
  /** Client latency of every answer but the 429s (refused at once, they would flatter it). */
  latencies: number[]
  /** 429 answers, each waited out and retried; none counts as acknowledged. */
  rateLimited: number
  /** 503s of wrangler dev's proxy, not of the Worker: it reloaded mid-request (files changed on disk). */
  reloads: number
}

/** wrangler dev's answer to a request in flight while the Worker reloads (its ProxyWorker). */
export const isDevReload = (status: number, text: string) =>
  status === 503 && text.startsWith('Your worker restarted mid-request')

export const newStats = (): LoadStats => ({
  byStatus: new Map(),
  byScimType: new Map(),
  byLabel: new Map(),
  latencies: [],
  rateLimited: 0,
  reloads: 0,
})

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)

/** Counts one answer (status 0: none came). */
export function countAnswer(
  stats: LoadStats,
  label: string,
  answer: { status: number; scimType?: string | undefined; text: string; ms: number },
) {
  const { status, scimType, ms } = answer
  if (isDevReload(status, answer.text)) stats.reloads++
  bump(stats.byStatus, status)
  if (scimType) bump(stats.byScimType, scimType)
  const byStatus = stats.byLabel.get(label) ?? new Map<number, number>()
  stats.byLabel.set(label, bump(byStatus, status))
  if (status === 429) stats.rateLimited++
  else if (status !== 0) stats.latencies.push(ms)
}

export interface StatsSummary {
  served: number
  noAnswer: number
  serverErrors: number
  rateLimited: number
  devReloads: number
  perSecond: number
  medianMs: number
  p95Ms: number
  byStatus: Record<string, number>
  byScimType: Record<string, number>
  byLabel: Record<string, Record<string, number>>
}

const record = <K>(map: Map<K, number>) =>
  Object.fromEntries(
    [...map].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([k, v]) => [String(k), v]),
  )

/** The figures of a run that lasted `seconds`. */
export function summarize(stats: LoadStats, seconds: number): StatsSummary {
  const count = (test: (status: number) => boolean) =>
    [...stats.byStatus].filter(([s]) => test(s)).reduce((sum, [, n]) => sum + n, 0)
  const served = count((s) => s !== 0)
  return {
    served,
    noAnswer: count((s) => s === 0),
    serverErrors: count((s) => s >= 500),
    rateLimited: stats.rateLimited,
    devReloads: stats.reloads,
    perSecond: served / seconds,
    medianMs: percentile(stats.latencies, 50),
    p95Ms: percentile(stats.latencies, 95),
    byStatus: record(stats.byStatus),
    byScimType: record(stats.byScimType),
    byLabel: Object.fromEntries(
      [...stats.byLabel].sort(([a], [b]) => a.localeCompare(b)).map(([l, m]) => [l, record(m)]),
    ),
  }
}
