/**
 * Counts and times D1 round trips. Each `first`/`all`/`run`/`raw` on a statement and each `batch`
 * is one round trip to the database; the counts go into `Server-Timing` and the request log so that
 * every endpoint's cost is visible. `rowsRead` sums D1's `meta.rows_read` of the results that carry
 * it (`all`, `run`, `batch`): the database's own measure of a query's work, which timings on a
 * shared machine are not.
 */
export interface RoundTripStats {
  count: number
  ms: number
  rowsRead: number
}

const STATEMENT_CALLS = new Set(['first', 'all', 'run', 'raw'])

const rowsReadOf = (result: unknown): number => {
  const meta = (result as { meta?: { rows_read?: unknown } } | null)?.meta
  return typeof meta?.rows_read === 'number' ? meta.rows_read : 0
}

async function timed<T>(stats: RoundTripStats, call: () => Promise<T>): Promise<T> {
  const started = performance.now()
  stats.count++
  try {
    const result = await call()
    for (const one of Array.isArray(result) ? result : [result]) stats.rowsRead += rowsReadOf(one)
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
          return (...args: unknown[]) => timed(stats, () => value.apply(target, args))
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
          timed(stats, () => target.batch(statements.map((s) => originals.get(s) ?? s)))
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
