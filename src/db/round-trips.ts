/**
 * Counts and times D1 round trips. Each `first`/`all`/`run`/`raw` on a statement and each `batch`
 * is one round trip to the database; the counts go into `Server-Timing` and the request log so that
 * every endpoint's cost is visible. Statements, and the rows read and written that D1 reports in
 * each result's `meta` (what D1 bills), are summed too.
 */
export interface RoundTripStats {
  count: number
  ms: number
  statements: number
  rowsRead: number
  rowsWritten: number
}

export const newRoundTripStats = (): RoundTripStats => ({
  count: 0,
  ms: 0,
  statements: 0,
  rowsRead: 0,
  rowsWritten: 0,
})

const STATEMENT_CALLS = new Set(['first', 'all', 'run', 'raw'])

/** Adds the rows a result's `meta` reports; `first` and `raw` answer rows without it. */
function addRows(stats: RoundTripStats, result: unknown): void {
  const meta = (result as { meta?: { rows_read?: unknown; rows_written?: unknown } } | null)?.meta
  if (typeof meta?.rows_read === 'number') stats.rowsRead += meta.rows_read
  if (typeof meta?.rows_written === 'number') stats.rowsWritten += meta.rows_written
}

async function timed<T>(stats: RoundTripStats, statements: number, call: () => Promise<T>): Promise<T> {
  const started = performance.now()
  stats.count++
  stats.statements += statements
  try {
    const result = await call()
    for (const one of Array.isArray(result) ? result : [result]) addRows(stats, one)
    return result
  } finally {
    stats.ms += performance.now() - started
  }
}

/** Wraps a D1 binding so that its round trips are counted in `stats`; statements stay real D1 statements. */
export function countRoundTrips(db: D1Database, stats: RoundTripStats): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>()

  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        if (property === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args))
        if (typeof property === 'string' && STATEMENT_CALLS.has(property)) {
          return (...args: unknown[]) => timed(stats, 1, () => value.apply(target, args))
        }
        return value.bind(target)
      },
    })
    originals.set(proxy, statement)
    return proxy
  }

  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (property === 'prepare') return (query: string) => wrapStatement(target.prepare(query))
      if (property === 'batch') {
        return (statements: D1PreparedStatement[]) =>
          timed(stats, statements.length, () => target.batch(statements.map((s) => originals.get(s) ?? s)))
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
