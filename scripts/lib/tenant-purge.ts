import { is } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as schema from '../../src/db/schema'
import { TENANT_NAME_PATTERN } from '../../src/tenancy/tenant-record'
import { CliError } from './cli-error'
import type { WranglerClient } from './wrangler'

/** Rows deleted per table per statement: small enough that no statement nears D1's 30 s limit. */
export const PURGE_CHUNK_ROWS = 5000

/** Every table of the Drizzle schema that has a `tenant_id` column, so new tables are purged too. */
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

/** One round of the purge: for each table, delete up to `chunk` rows of `tenant`, then count them. */
export function purgeChunkSql(tenant: string, tables: readonly string[], chunk = PURGE_CHUNK_ROWS): string {
  // `wrangler d1 execute --command` takes no bound parameters, so the name is part of the SQL text.
  // That is safe only because it matches TENANT_NAME_PATTERN (lowercase letters, digits and
  // hyphens: no quote, no backslash, no semicolon), which is checked right here.
  if (!TENANT_NAME_PATTERN.test(tenant)) throw new Error(`Refusing to build SQL for tenant name ${tenant}`)
  for (const table of tables)
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Bad table name ${table}`)
  return tables
    .map(
      (table) =>
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE tenant_id = '${tenant}' LIMIT ${chunk}); ` +
        'SELECT changes() AS deleted',
    )
    .join('; ')
}

/** Deletes every row of `tenant` in database `binding`, in chunks, until no table has any; rows deleted per table. */
export async function purgeTenantRows(
  w: WranglerClient,
  binding: string,
  tenant: string,
  onRound: (deleted: Record<string, number>) => void = () => {},
): Promise<Record<string, number>> {
  const totals: Record<string, number> = {}
  let pending = tenantTables()
  for (const table of pending) totals[table] = 0
  // Repeat until a round deletes nothing from a table: stopping at a short chunk would miss rows
  // that a request still holding the cached, active tenant record wrote meanwhile.
  while (pending.length > 0) {
    const results = await w.d1Execute(purgeChunkSql(tenant, pending), binding)
    const next: string[] = []
    pending.forEach((table, i) => {
      const deleted = Number(results[2 * i + 1]?.results[0]?.deleted)
      if (!Number.isInteger(deleted)) {
        throw new CliError(
          `Unexpected answer from D1 while deleting from ${table}`,
          'Re-run the delete; it resumes.',
        )
      }
      totals[table]! += deleted
      if (deleted > 0) next.push(table)
    })
    onRound({ ...totals })
    pending = next
  }
  return totals
}
