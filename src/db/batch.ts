import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { withReadRetry } from './transient'

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

// Our SQL names every value as a bound parameter, so its text holds only our own keywords.
const READ = /^\s*(?:SELECT|WITH)\b/i
const WRITE = /\b(?:INSERT|UPDATE|DELETE|REPLACE|UPSERT|CREATE|DROP|ALTER)\b/i
const isRead = (sql: string) => READ.test(sql) && !WRITE.test(sql)

/**
 * Runs statements as one D1 batch — one round trip, one transaction — and returns each one's rows.
 * A batch of reads only is retried once after a transient D1 error; a batch that writes never is
 * (its outcome is unknown: see `withReadRetry`).
 */
export async function runBatch(
  d1: D1Database,
  statements: readonly Statement[],
): Promise<Record<string, unknown>[][]> {
  if (statements.length === 0) return []
  const rendered = statements.map(render)
  const run = async () => {
    const prepared = rendered.map(({ sql, params }) => d1.prepare(sql).bind(...params))
    return d1.batch<Record<string, unknown>>(prepared)
  }
  const results = await (rendered.every(({ sql }) => isRead(sql)) ? withReadRetry(run) : run())
  return results.map((r) => r.results ?? [])
}
