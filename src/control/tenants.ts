import { ControlError } from './control-error'
import { importLegacyTenant } from './legacy-import'
import { type ControlPorts, query, statement } from './ports'
import { publishTenant } from './publish'
import { problemsOf, type TenantInput, type TenantStatus, tenantInputSchema } from './rules'
import { TENANT_COLUMNS as COLUMNS, type TenantRow, toTenantRow } from './tenant-row'

async function selectTenant(ports: ControlPorts, name: string): Promise<TenantRow | undefined> {
  const [raw] = await query(ports.control, `SELECT ${COLUMNS} FROM tenants WHERE name = ?`, name)
  return raw ? toTenantRow(raw) : undefined
}

/** The tenant, imported from its KV record first when it predates D1's control tables. */
export async function findTenant(ports: ControlPorts, name: string): Promise<TenantRow | undefined> {
  const row = await selectTenant(ports, name)
  if (row) return row
  return (await importLegacyTenant(ports, name)) ? selectTenant(ports, name) : undefined
}

export async function requireTenant(ports: ControlPorts, name: string): Promise<TenantRow> {
  const row = await findTenant(ports, name)
  if (!row) throw new ControlError('not_found', `Tenant ${name} does not exist`)
  return row
}

/** Creates a tenant without tokens; refuses an existing name and an undeclared database. */
export async function createTenant(ports: ControlPorts, input: TenantInput, now = new Date()) {
  const parsed = tenantInputSchema.safeParse(input)
  if (!parsed.success) throw new ControlError('invalid', 'The tenant is not valid', problemsOf(parsed.error))
  const { name, db, label, metadata } = parsed.data
  if (!ports.databases.includes(db))
    throw new ControlError(
      'invalid',
      `D1 binding ${db} is not declared in this deployment; declared: ${ports.databases.join(', ')}`,
    )
  if (await findTenant(ports, name)) throw new ControlError('conflict', `Tenant ${name} already exists`)
  const [inserted] = await ports.control.batch([
    statement(
      `INSERT INTO tenants (name, status, db, label, metadata, created_at) VALUES (?, 'active', ?, ?, ?, ?)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      name,
      db,
      label ?? null,
      metadata ? JSON.stringify(metadata) : null,
      now.toISOString(),
    ),
  ])
  if (inserted?.rows.length !== 1) throw new ControlError('conflict', `Tenant ${name} already exists`)
  await publishTenant(ports, name)
  return requireTenant(ports, name)
}

/** Tenants by name after `after`, optionally of one status. */
export async function listTenants(
  ports: ControlPorts,
  options: { status?: TenantStatus | undefined; after?: string | undefined; limit: number },
): Promise<TenantRow[]> {
  const rows = await query(
    ports.control,
    `SELECT ${COLUMNS} FROM tenants WHERE name > ? AND (?2 IS NULL OR status = ?2) ORDER BY name LIMIT ?3`,
    options.after ?? '',
    options.status ?? null,
    options.limit,
  )
  return rows.map(toTenantRow)
}

/** Sets a tenant's status; false when it already had it. */
export async function setTenantStatus(ports: ControlPorts, name: string, status: TenantStatus) {
  const row = await requireTenant(ports, name)
  // A deletion is never undone: its rows are already going (src/deletion/).
  if (row.status === 'deleting') throw new ControlError('conflict', `Tenant ${name} is being deleted`)
  const [updated] = await ports.control.batch([
    statement(
      "UPDATE tenants SET status = ?, revision = revision + 1 WHERE name = ? AND status <> ? AND status <> 'deleting' RETURNING name",
      status,
      name,
      status,
    ),
  ])
  if (updated?.rows.length === 0) return false
  await publishTenant(ports, name)
  return true
}
