import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'

/**
 * A statement for a D1 batch: a Drizzle query builder (insert/update/delete/select) or a Drizzle
 * `sql` template. Drizzle renders both to SQL with bound parameters; this module prepares and
 * batches them on the D1 binding itself, because Drizzle's own `batch` cannot carry parameterised
 * raw SQL (`SQLiteRaw` has no prepared statement) — and our guards, membership deltas and change
 * events are raw SQL.
 */
export type Statement = SQL | { toSQL(): { sql: string; params: unknown[] } }

const dialect = new SQLiteSyncDialect()

/** Renders a statement to SQL text and its parameters. */
export function render(statement: Statement): { sql: string; params: unknown[] } {
  return 'toSQL' in statement ? statement.toSQL() : dialect.sqlToQuery(statement)
}

/** Runs statements as one D1 batch — one round trip, one transaction — and returns each one's rows. */
export async function runBatch(
  d1: D1Database,
  statements: readonly Statement[],
): Promise<Record<string, unknown>[][]> {
  if (statements.length === 0) return []
  const prepared = statements.map((s) => {
    const { sql, params } = render(s)
    return d1.prepare(sql).bind(...params)
  })
  const results = await d1.batch<Record<string, unknown>>(prepared)
  return results.map((r) => r.results ?? [])
}
