import { ControlError } from '../../src/control/control-error'
import type { ControlPorts } from '../../src/control/ports'
import type { TenantRow } from '../../src/control/tenant-row'
import { findTenant } from '../../src/control/tenants'
import { CliError } from './cli-error'
import type { WranglerClient } from './wrangler'
import { wranglerPorts } from './wrangler-ports'

const ports = new WeakMap<WranglerClient, Promise<ControlPorts>>()

/** The control plane of `w`'s target (D1 as the system of record, KV as the published copy). */
export function portsOf(w: WranglerClient): Promise<ControlPorts> {
  let found = ports.get(w)
  if (!found) {
    found = wranglerPorts(w)
    ports.set(w, found)
  }
  return found
}

/** A tenant (imported from KV when it predates D1's control tables); null when there is none. */
export async function readTenant(w: WranglerClient, name: string): Promise<TenantRow | null> {
  return (await findTenant(await portsOf(w), name)) ?? null
}

/** Like readTenant, but a missing tenant is an error that says how to see the existing ones. */
export async function requireTenant(w: WranglerClient, name: string): Promise<TenantRow> {
  const row = await readTenant(w, name)
  if (!row)
    throw new CliError(`Tenant ${name} does not exist${where(w)}.`, `See the tenants with: ${listHint(w)}`)
  return row
}

/** A refusal of the control plane as the CLI reports it: its message, each problem, and a hint. */
export function toCliError(error: unknown, w: WranglerClient): unknown {
  if (!(error instanceof ControlError)) return error
  const problems = error.problems.length > 0 ? `:\n  - ${error.problems.join('\n  - ')}` : '.'
  const hint = error.kind === 'not_found' ? `See the tenants with: ${listHint(w)}` : undefined
  return new CliError(`${error.message}${problems}`, hint)
}

/** The target flags of `w`, for commands the operator may copy. */
export function flagsText(w: WranglerClient): string {
  const { remote, persistTo, env } = w.target
  return [remote ? '--remote' : '--local', persistTo && `--persist-to ${persistTo}`, env && `--env ${env}`]
    .filter(Boolean)
    .join(' ')
}

function where(w: WranglerClient): string {
  return w.target.remote ? ' in the Cloudflare account' : ' in local storage'
}

function listHint(w: WranglerClient): string {
  return `npm run tenant -- list ${flagsText(w)}`
}
