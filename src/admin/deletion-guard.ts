import type { TenantRow } from '../control/tenant-row'
import { DELETING } from '../deletion/deletions'
import { Problem } from './problem'

/** Operations on a tenant's data refuse a tenant being deleted: its rows are going. */
export function closedWhileDeleting(row: TenantRow): void {
  if (row.status === DELETING)
    throw new Problem(
      409,
      `Tenant ${row.name} is being deleted; GET /admin/v1/tenants/${row.name} shows the progress`,
    )
}
