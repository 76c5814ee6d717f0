import { is } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { type SqlPort, type Statement, statement } from '../control/ports'
import * as schema from '../db/schema'

/**
 * One round of a tenant's deletion: a bounded number of rows per table, in one D1 batch, so no
 * statement nears D1's 30 s limit and a tenant of any size is deleted by repeating it. A round
 * deletes whatever rows are there, so running one again (a retried step, a resumed CLI, two
 * deleters at once) is harmless. The Workflow (src/deletion/tenant-deletion.ts) and the tenant CLI
 * both run exactly these statements.
 */

/** Rows deleted per table per round unless TENANT_DELETION_ROUND_ROWS says otherwise. */
export const DEFAULT_ROUND_ROWS = 2000
const MAX_ROUND_ROWS = 10_000

/** Every table of the Drizzle schema that has a `tenant_id` column, so new tables are deleted too. */
export function tenantTables(): string[] {
  const tables: string[] = []
  for (const value of Object.values(schema)) {
    if (!is(value, SQLiteTable)) continue
    const config = getTableConfig(value)
    if (config.columns.some((column) => column.name === 'tenantId' || column.name === 'tenant_id')) {
      tables.push(config.name)
    }
  }
  return tables.sort()
}

/** The round size configured by `value` (a Worker var), else the default; always 1 to 10,000. */
export function roundRows(value: unknown): number {
  const rows = Number(value)
  return Number.isInteger(rows) && rows >= 1 && rows <= MAX_ROUND_ROWS ? rows : DEFAULT_ROUND_ROWS
}

/**
 * For each table: delete up to `rows` rows of `tenant`, then read the connection's total_changes(),
 * which (unlike changes()) also counts what the DELETE's triggers deleted: a user's own rows go with
 * it (migration 0011). The first statement reads it before any. Last, count what is left in all
 * tables, by the `tenant_id` index of each.
 */
export function roundStatements(tenant: string, tables: readonly string[], rows: number): Statement[] {
  for (const table of tables)
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Bad table name ${table}`)
  const totalChanges = () => statement('SELECT total_changes() AS total')
  const deletes = tables.flatMap((table) => [
    statement(
      `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE tenant_id = ? LIMIT ?)`,
      tenant,
      rows,
    ),
    totalChanges(),
  ])
  const left = tables.map((table) => `(SELECT count(*) FROM ${table} WHERE tenant_id = ?1)`).join(' + ')
  return [totalChanges(), ...deletes, statement(`SELECT ${left} AS rows_left`, tenant)]
}

export interface RoundResult {
  /**
   * Rows deleted by this round, by the table whose DELETE removed them: a user's own rows that its
   * trigger deleted (migration 0011) count as the users table's.
   */
  readonly deleted: Record<string, number>
  readonly deletedTotal: number
  /** Rows of the tenant left in the database after it. */
  readonly rowsLeft: number
}

/** Runs one round on the tenant's database. */
export async function deleteRound(db: SqlPort, tenant: string, rows: number): Promise<RoundResult> {
  const tables = tenantTables()
  const results = await db.batch(roundStatements(tenant, tables, rows))
  const totalAt = (i: number) => integerOf(results[2 * i]?.rows[0]?.total, 'total changes')
  const deleted: Record<string, number> = {}
  tables.forEach((table, i) => {
    deleted[table] = integerOf(totalAt(i + 1) - totalAt(i), table)
  })
  const rowsLeft = integerOf(results[2 * tables.length + 1]?.rows[0]?.rows_left, 'rows left')
  const deletedTotal = Object.values(deleted).reduce((sum, n) => sum + n, 0)
  // Counted over the same tables the round deletes from, so rows left means rows deleted.
  if (deletedTotal === 0 && rowsLeft > 0)
    throw new Error(`A round deleted nothing but ${rowsLeft} rows are left`)
  return { deleted, deletedTotal, rowsLeft }
}

function integerOf(value: unknown, what: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`Unexpected answer from D1 for ${what}: ${String(value)}`)
  return n
}
