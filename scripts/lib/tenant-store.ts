import { type TenantRecord, tenantKey, tenantRecordSchema } from '../../src/tenancy/tenant-record'
import { CliError } from './cli-error'
import type { WranglerClient } from './wrangler'

const KEY_PREFIX = tenantKey('')

/** Reads and validates the KV record of a tenant; null when there is none. */
export async function readTenant(w: WranglerClient, name: string): Promise<TenantRecord | null> {
  const raw = await w.kvGet(tenantKey(name))
  return raw === null ? null : parseRecord(w, name, raw)
}

/** Like readTenant, but a missing tenant is an error that says how to see the existing ones. */
export async function requireTenant(w: WranglerClient, name: string): Promise<TenantRecord> {
  const record = await readTenant(w, name)
  if (!record)
    throw new CliError(`Tenant ${name} does not exist${where(w)}.`, `See the tenants with: ${listHint(w)}`)
  return record
}

/** Validates and writes a tenant record (the Worker rejects records that do not match the schema). */
export async function writeTenant(w: WranglerClient, record: TenantRecord): Promise<void> {
  await w.kvPut(tenantKey(record.name), JSON.stringify(tenantRecordSchema.parse(record)))
}

/** Reads a tenant, applies `change` to it, and writes it back. */
export async function updateTenant(
  w: WranglerClient,
  name: string,
  change: (record: TenantRecord) => TenantRecord,
): Promise<TenantRecord> {
  // Read-modify-write without a lock: KV has no compare-and-swap. Two operators changing the same
  // tenant at the same moment can lose one change; the command is an operator tool, run by hand.
  const updated = change(await requireTenant(w, name))
  await writeTenant(w, updated)
  return updated
}

/** Every tenant record, sorted by name. */
export async function listTenants(w: WranglerClient): Promise<TenantRecord[]> {
  const keys = (await w.kvList(KEY_PREFIX)).sort()
  const records: TenantRecord[] = []
  // A few reads at a time: each is a wrangler process.
  for (let i = 0; i < keys.length; i += 4) {
    const batch = await Promise.all(
      keys.slice(i, i + 4).map(async (key) => {
        const name = key.slice(KEY_PREFIX.length)
        const raw = await w.kvGet(key)
        return raw === null ? null : parseRecord(w, name, raw)
      }),
    )
    for (const record of batch) if (record) records.push(record)
  }
  return records
}

/** Removes the KV record of a tenant. */
export async function deleteTenantRecord(w: WranglerClient, name: string): Promise<void> {
  await w.kvDelete(tenantKey(name))
}

function parseRecord(w: WranglerClient, name: string, raw: string): TenantRecord {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new CliError(`The KV record of tenant ${name} is not JSON.`, inspectHint(w, name))
  }
  const parsed = tenantRecordSchema.safeParse(json)
  if (!parsed.success || parsed.data.name !== name) {
    throw new CliError(
      `The KV record of tenant ${name} does not match the tenant record schema.`,
      inspectHint(w, name),
    )
  }
  return parsed.data
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

function inspectHint(w: WranglerClient, name: string): string {
  return `Inspect it with: npx wrangler kv key get --binding TENANTS ${tenantKey(name)} --text ${flagsText(w)}`
}
