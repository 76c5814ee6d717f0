import { findTenant, tenantNotFound } from './find-tenant'
import type { ControlPorts, Statement, StatementResult } from './ports'
import { publishTenant, stateFrom, stateStatements } from './publish'

/**
 * Runs a change of one tenant as one D1 transaction that ends by reading the tenant's state, then
 * publishes that state to KV: one round trip for the change and its read (each is a wrangler process
 * for the CLI). The statements must do nothing when the tenant does not exist; a tenant missing from
 * D1 may predate it, and is imported from KV before the change runs once more.
 */
export async function changeTenant(
  ports: ControlPorts,
  name: string,
  statements: readonly Statement[],
): Promise<StatementResult[]> {
  for (let attempt = 0; ; attempt++) {
    const results = await ports.control.batch([...statements, ...stateStatements(name)])
    const state = stateFrom(results)
    if (state) {
      await publishTenant(ports, name, state)
      return results
    }
    if (attempt > 0 || !(await findTenant(ports, name))) throw tenantNotFound(name)
  }
}
