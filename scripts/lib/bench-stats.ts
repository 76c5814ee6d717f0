/** Percentiles and the Worker's `Server-Timing` header, for `npm run bench`. */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

export const median = (samples: readonly number[]) => percentile(samples, 50)

/** What the Worker reports about one request: its D1 round trips and their time, and its total time. */
export interface ServerTiming {
  d1RoundTrips?: number
  d1Ms?: number
  totalMs?: number
}

/**
 * Reads `Server-Timing: d1;dur=1.2;desc="3 round trips", total;dur=4.5;desc="total"` (src/http/
 * request-log.ts with hono/timing). Unknown metrics are ignored; a missing header gives `{}`.
 */
export function parseServerTiming(header: string | string[] | undefined): ServerTiming {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '')
  const timing: ServerTiming = {}
  for (const metric of text.split(',')) {
    const [name, ...params] = metric.split(';').map((part) => part.trim())
    const dur = params.find((p) => p.startsWith('dur='))
    const desc = params.find((p) => p.startsWith('desc='))
    const ms = dur === undefined ? undefined : Number(dur.slice(4))
    if (name === 'd1') {
      if (ms !== undefined && Number.isFinite(ms)) timing.d1Ms = ms
      const trips = desc && /(\d+) round trips?/.exec(desc)
      if (trips) timing.d1RoundTrips = Number(trips[1])
    } else if (name === 'total' && ms !== undefined && Number.isFinite(ms)) {
      timing.totalMs = ms
    }
  }
  return timing
}
