import { importLegacyTenant } from '../../src/control/legacy-import'
import { type ControlPorts, query } from '../../src/control/ports'
import type { TenantRow } from '../../src/control/tenant-row'
import { createTenant as createControlTenant, listTenants, setTenantStatus } from '../../src/control/tenants'
import {
  type IssuedToken,
  revokeTokens as revokeControlTokens,
  rotateToken as rotateControlToken,
  type TokenMetadata,
  tokensOf,
} from '../../src/control/tokens'
import { beginDeletion, finishDeletion, recordRound } from '../../src/deletion/deletions'
import { DEFAULT_ROUND_ROWS, deleteRound } from '../../src/deletion/rounds'
import { REVOCATION_DELAY_SECONDS } from '../../src/tenancy/revocation-delay'
import { tenantKey } from '../../src/tenancy/tenant-record'
import { CliError } from './cli-error'
import { portsOf, requireTenant, toCliError } from './tenant-store'
import type { WranglerClient } from './wrangler'

/**
 * The tenant CLI's commands: each is the control plane's own operation (src/control/), run through
 * wrangler, so the CLI and the management API share every rule. Refusals become CliErrors.
 */

/** Progress output; goes to stderr so that stdout carries only results. */
export type Log = (line: string) => void

export type { IssuedToken }

/** A tenant as `list` shows it: everything but the token hashes. */
export interface TenantSummary {
  name: string
  status: string
  db: string
  createdAt: string
  tokens: TokenMetadata[]
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.ceil(ms / 1000))

async function run<T>(w: WranglerClient, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw toCliError(error, w)
  }
}

/** Creates a tenant and issues its first token. */
export function createTenant(
  w: WranglerClient,
  options: { name: string; db: string; label?: string | undefined; expiresInMs?: number | undefined },
  log: Log,
): Promise<IssuedToken> {
  return run(w, async () => {
    const ports = await portsOf(w)
    log(`Creating tenant ${options.name} on database ${options.db}…`)
    const firstToken = {
      ...(options.label !== undefined && { label: options.label }),
      ...(options.expiresInMs !== undefined && { expiresInSeconds: seconds(options.expiresInMs) }),
    }
    const { issued } = await createControlTenant(
      ports,
      { name: options.name, db: options.db },
      { firstToken },
    )
    if (!issued) throw new Error('createTenant issued no first token')
    return issued
  })
}

/** Issues a new token; the others keep working for `graceMs` (0: removed at once). */
export function rotateToken(
  w: WranglerClient,
  options: { name: string; graceMs: number; label?: string | undefined; expiresInMs?: number | undefined },
  log: Log,
) {
  return run(w, async () => {
    log(`Rotating the token of ${options.name}…`)
    return rotateControlToken(await portsOf(w), options.name, {
      graceSeconds: seconds(options.graceMs) ?? 0,
      ...(options.label !== undefined && { label: options.label }),
      ...(options.expiresInMs !== undefined && { expiresInSeconds: seconds(options.expiresInMs) }),
    })
  })
}

/** Removes one token, or every token when `tokenId` is undefined; the ids removed. */
export function revokeTokens(w: WranglerClient, name: string, tokenId?: string): Promise<string[]> {
  return run(w, async () => revokeControlTokens(await portsOf(w), name, tokenId))
}

/** Sets a tenant's status; false when it already had it. */
export function setStatus(w: WranglerClient, name: string, status: 'active' | 'suspended'): Promise<boolean> {
  return run(w, async () => setTenantStatus(await portsOf(w), name, status))
}

/**
 * Deletes a tenant with the management API's own steps (src/deletion/): closes it (status
 * `deleting`, published to KV) and records the deletion, deletes its rows in the same bounded
 * rounds the Workflow runs, waits — remote only — until the revocation delay has passed since it
 * was closed, runs the final rounds, then removes its control rows and KV record. Progress is in
 * D1, so if it stops half-way, running it again (or DELETE through the API) finishes the same
 * deletion. Rows deleted per table.
 */
export async function deleteTenant(
  w: WranglerClient,
  name: string,
  log: Log,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<Record<string, number>> {
  await requireTenant(w, name)
  const ports = await portsOf(w)
  // Locally there is no other location whose cached record could still write.
  const delay = w.target.remote ? REVOCATION_DELAY_SECONDS : 0
  const { deletion } = await run(w, () => beginDeletion(ports, name, delay))
  log(`Deletion ${deletion.id}: ${name} is closed; deleting its rows in database ${deletion.db}…`)
  const db = ports.database(deletion.db)
  if (!db) throw new CliError(`Database binding ${deletion.db} is not declared in wrangler.toml.`)
  const totals: Record<string, number> = {}
  const rounds = async () => {
    for (let left = -1; left !== 0; ) {
      const round = await deleteRound(db, name, DEFAULT_ROUND_ROWS)
      await recordRound(ports, deletion.id, round)
      for (const [table, n] of Object.entries(round.deleted)) totals[table] = (totals[table] ?? 0) + n
      left = round.rowsLeft
      log(`  round: ${round.deletedTotal} rows deleted, ${left} left`)
    }
  }
  await rounds()
  const wait = Date.parse(deletion.finalRoundAfter) - Date.now()
  if (wait > 0) {
    log(`Waiting ${Math.ceil(wait / 1000)} s for the revocation delay before the final round…`)
    await sleep(wait)
  }
  await rounds()
  log(`Deleting the control rows and the KV record tenant:${name}…`)
  await finishDeletion(ports, deletion)
  return totals
}

/** Every tenant, by name, with its tokens. */
export async function listSummaries(w: WranglerClient): Promise<TenantSummary[]> {
  const ports = await portsOf(w)
  const rows: TenantRow[] = []
  for (let page = await listTenants(ports, { limit: 500 }); page.length > 0; ) {
    rows.push(...page)
    page = page.length < 500 ? [] : await listTenants(ports, { after: page.at(-1)?.name, limit: 500 })
  }
  const tokens = await tokensOf(
    ports,
    rows.map((r) => r.name),
  )
  return rows.map((row) => ({
    name: row.name,
    status: row.status,
    db: row.db,
    createdAt: row.createdAt,
    tokens: tokens.get(row.name) ?? [],
  }))
}

/** Copies every tenant that lives only in KV (made before D1 held tenants) into D1; their names. */
export async function importLegacyTenants(w: WranglerClient, log: Log): Promise<string[]> {
  const ports = await portsOf(w)
  const prefix = tenantKey('')
  const imported: string[] = []
  for (const key of await ports.kv.list(prefix)) {
    const name = key.slice(prefix.length)
    if (await tenantInD1(ports, name)) continue
    log(`Importing ${name}…`)
    if (await importLegacyTenant(ports, name)) imported.push(name)
  }
  return imported
}

const tenantInD1 = async (ports: ControlPorts, name: string) =>
  (await query(ports.control, 'SELECT 1 FROM tenants WHERE name = ?', name)).length > 0

/** Human-readable lines for `list`. */
export function formatSummaries(summaries: TenantSummary[]): string {
  if (summaries.length === 0) return 'No tenants.'
  const lines: string[] = []
  for (const s of summaries) {
    lines.push(`${s.name}  ${s.status}  db=${s.db}  created ${s.createdAt}`)
    if (s.tokens.length === 0) lines.push('  (no tokens: `rotate` issues one)')
    for (const t of s.tokens) {
      const expiry = t.expiresAt ? `${t.expired ? 'expired' : 'expires'} ${t.expiresAt}` : 'no expiry'
      lines.push(
        `  ${t.id}  created ${t.createdAt}  ${expiry}${t.label ? `  ${JSON.stringify(t.label)}` : ''}`,
      )
    }
  }
  return lines.join('\n')
}
