import { tenantKey } from '../tenancy/tenant-record'
import { changeTenant } from './change'
import { ControlError } from './control-error'
import { findTenant, requireTenant } from './find-tenant'
import { type ControlPorts, query, statement } from './ports'
import { publishTenant, stateFrom, stateStatements } from './publish'
import { problemsOf, type TenantInput, type TenantStatus, type TokenInput, tenantInputSchema } from './rules'
import { TENANT_COLUMNS as COLUMNS, type TenantRow, toTenantRow } from './tenant-row'
import { type IssuedToken, newToken } from './tokens'

export { findTenant, requireTenant }

/**
 * Creates a tenant; the API's create issues no token, the CLI's issues `firstToken` in the same
 * transaction. Refuses an existing name (in D1, or in KV for a tenant made before D1 held them) and
 * a database this deployment does not declare.
 */
export async function createTenant(
  ports: ControlPorts,
  input: TenantInput,
  options: { firstToken?: TokenInput; now?: Date } = {},
): Promise<{ tenant: TenantRow; issued?: IssuedToken }> {
  const parsed = tenantInputSchema.safeParse(input)
  if (!parsed.success) throw new ControlError('invalid', 'The tenant is not valid', problemsOf(parsed.error))
  const { name, db, label, metadata } = parsed.data
  const now = options.now ?? new Date()
  if (!ports.databases.includes(db))
    throw new ControlError(
      'invalid',
      `D1 binding ${db} is not declared in this deployment; declared: ${ports.databases.join(', ')}`,
    )
  const exists = () => new ControlError('conflict', `Tenant ${name} already exists`)
  // A tenant that lives only in KV must not be shadowed by a new row (its record would be replaced).
  if (await ports.kv.get(tenantKey(name))) {
    await findTenant(ports, name)
    throw exists()
  }
  const token = options.firstToken && (await newToken(name, options.firstToken, now, true))
  const results = await ports.control.batch([
    statement(
      `INSERT INTO tenants (name, status, db, label, metadata, created_at) VALUES (?, 'active', ?, ?, ?, ?)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      name,
      db,
      label ?? null,
      metadata ? JSON.stringify(metadata) : null,
      now.toISOString(),
    ),
    ...(token ? [token.insert] : []),
    ...stateStatements(name),
  ])
  const state = stateFrom(results)
  if (results[0]?.rows.length !== 1 || !state) throw exists()
  await publishTenant(ports, name, state)
  return { tenant: state.row, ...(token && { issued: token.issued }) }
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
  const [updated] = await changeTenant(ports, name, [
    statement(
      "UPDATE tenants SET status = ?, revision = revision + 1 WHERE name = ? AND status <> ? AND status <> 'deleting' RETURNING name",
      status,
      name,
      status,
    ),
  ])
  return updated?.rows.length === 1
}
