import { ControlError } from './control-error'
import { importLegacyTenant } from './legacy-import'
import { type ControlPorts, query } from './ports'
import { TENANT_COLUMNS, type TenantRow, toTenantRow } from './tenant-row'

async function selectTenant(ports: ControlPorts, name: string): Promise<TenantRow | undefined> {
  const [raw] = await query(ports.control, `SELECT ${TENANT_COLUMNS} FROM tenants WHERE name = ?`, name)
  return raw ? toTenantRow(raw) : undefined
}

/** The tenant, imported from its KV record first when it predates D1's control tables. */
export async function findTenant(ports: ControlPorts, name: string): Promise<TenantRow | undefined> {
  const row = await selectTenant(ports, name)
  if (row) return row
  return (await importLegacyTenant(ports, name)) ? selectTenant(ports, name) : undefined
}

export const tenantNotFound = (name: string) => new ControlError('not_found', `Tenant ${name} does not exist`)

export async function requireTenant(ports: ControlPorts, name: string): Promise<TenantRow> {
  const row = await findTenant(ports, name)
  if (!row) throw tenantNotFound(name)
  return row
}
