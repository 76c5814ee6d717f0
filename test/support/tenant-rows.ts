import { env } from 'cloudflare:workers'

/**
 * Every row a tenant has in `db`, table by table: each table with a `tenant_id` column, read from
 * the live schema so that a new table is covered without editing this. Compare two snapshots to
 * prove that a request changed nothing. Left out: when an event was marked delivered, which the
 * delivery of EARLIER writes sets after their answers (a 50 ms delivery window, src/ops/delivery-window.ts).
 */
const DELIVERY_COLUMNS: Record<string, readonly string[]> = { scim_events: ['delivered_at'] }

export async function tenantRows(tenant: string, db: D1Database = env.DB) {
  const { results: tables } = await db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'd1\\_%' ESCAPE '\\' ORDER BY name`,
    )
    .all<{ name: string }>()
  const rows: Record<string, unknown[]> = {}
  for (const { name } of tables) {
    const columns = (await db.prepare(`PRAGMA table_info("${name}")`).all<{ name: string }>()).results
    if (!columns.some((c) => c.name === 'tenant_id')) continue
    const kept = columns.filter((c) => !DELIVERY_COLUMNS[name]?.includes(c.name)).map((c) => `"${c.name}"`)
    rows[name] = (
      await db
        .prepare(
          `SELECT ${kept.join(', ')} FROM "${name}" WHERE tenant_id = ? ORDER BY ${kept.map((_, i) => i + 1).join(', ')}`,
        )
        .bind(tenant)
        .all()
    ).results
  }
  // A comparison of snapshots would prove nothing if the tables were not found.
  for (const table of ['users', 'user_emails', 'groups', 'group_members', 'scim_events']) {
    if (!rows[table]) throw new Error(`tenantRows: no table ${table}`)
  }
  return rows
}
