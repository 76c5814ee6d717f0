import type { TenantRecord, TokenRecord } from '../../src/tenancy/tenant-record'
import { tokenIsLive } from '../../src/tenancy/tenant-record'
import { generateToken, generateTokenId, hashToken } from '../../src/tenancy/token'
import { CliError } from './cli-error'
import { purgeTenantRows } from './tenant-purge'
import {
  deleteTenantRecord,
  flagsText,
  readTenant,
  requireTenant,
  updateTenant,
  writeTenant,
} from './tenant-store'
import type { WranglerClient } from './wrangler'
import { readD1Bindings } from './wrangler-config'

/** Progress output; goes to stderr so that stdout carries only results. */
export type Log = (line: string) => void

/** A token as handed to the operator: the only time it exists in clear text. */
export interface IssuedToken {
  tenant: string
  token: string
  tokenId: string
}

/** A tenant as `list` shows it: everything but the token hashes. */
export interface TenantSummary {
  name: string
  status: TenantRecord['status']
  db: string
  createdAt: string
  tokens: { id: string; label?: string; createdAt: string; expiresAt?: string; expired: boolean }[]
}

async function newToken(now: Date, label?: string, expiresInMs?: number): Promise<[string, TokenRecord]> {
  const token = generateToken()
  const record: TokenRecord = {
    id: generateTokenId(),
    hash: await hashToken(token),
    ...(label !== undefined && { label }),
    createdAt: now.toISOString(),
    ...(expiresInMs !== undefined && { expiresAt: new Date(now.getTime() + expiresInMs).toISOString() }),
  }
  return [token, record]
}

/** Creates a tenant with one token; fails if it exists or its D1 binding is not declared. */
export async function createTenant(
  w: WranglerClient,
  options: { name: string; db: string; label?: string; expiresInMs?: number },
  log: Log,
): Promise<IssuedToken> {
  const bindings = await readD1Bindings(w.target.env)
  if (!bindings.includes(options.db)) {
    throw new CliError(
      `D1 binding ${options.db} is not declared in wrangler.toml${w.target.env ? ` for env ${w.target.env}` : ''}.`,
      `Declared: ${bindings.join(', ') || 'none'}. Add a [[d1_databases]] entry first, or pick one of those with --db.`,
    )
  }
  if (await readTenant(w, options.name)) {
    throw new CliError(
      `Tenant ${options.name} already exists.`,
      `To issue a new token: npm run tenant -- rotate ${options.name} ${flagsText(w)}` +
        ` (add --grace 1h to keep the current token working for an hour).`,
    )
  }
  const now = new Date()
  const [token, tokenRecord] = await newToken(now, options.label, options.expiresInMs)
  log(`Creating tenant ${options.name} on database ${options.db}…`)
  await writeTenant(w, {
    version: 1,
    name: options.name,
    status: 'active',
    db: options.db,
    createdAt: now.toISOString(),
    tokens: [tokenRecord],
  })
  return { tenant: options.name, token, tokenId: tokenRecord.id }
}

/**
 * Adds a new token. The tenant's other live tokens expire after `graceMs` (at once when 0, the
 * default: they are removed); tokens already expired are removed.
 */
export async function rotateToken(
  w: WranglerClient,
  options: { name: string; graceMs: number; label?: string; expiresInMs?: number },
  log: Log,
): Promise<IssuedToken & { kept: { id: string; expiresAt: string }[]; removed: string[] }> {
  const now = new Date()
  const [token, tokenRecord] = await newToken(now, options.label, options.expiresInMs)
  const graceEnd = new Date(now.getTime() + options.graceMs).toISOString()
  const kept: { id: string; expiresAt: string }[] = []
  const removed: string[] = []
  log(`Rotating the token of ${options.name}…`)
  await updateTenant(w, options.name, (record) => {
    const tokens: TokenRecord[] = []
    for (const old of record.tokens) {
      if (options.graceMs === 0 || !tokenIsLive(old, now)) {
        removed.push(old.id)
        continue
      }
      const expiresAt =
        old.expiresAt !== undefined && Date.parse(old.expiresAt) < Date.parse(graceEnd)
          ? old.expiresAt
          : graceEnd
      kept.push({ id: old.id, expiresAt })
      tokens.push({ ...old, expiresAt })
    }
    return { ...record, tokens: [...tokens, tokenRecord] }
  })
  return { tenant: options.name, token, tokenId: tokenRecord.id, kept, removed }
}

/** Removes one token, or every token when `tokenId` is undefined; the ids removed. */
export async function revokeTokens(w: WranglerClient, name: string, tokenId?: string): Promise<string[]> {
  const record = await requireTenant(w, name)
  const removed = record.tokens.filter((t) => tokenId === undefined || t.id === tokenId).map((t) => t.id)
  if (tokenId !== undefined && removed.length === 0) {
    throw new CliError(
      `Tenant ${name} has no token ${tokenId}.`,
      `Its tokens: ${record.tokens.map((t) => t.id).join(', ') || 'none'}.`,
    )
  }
  if (removed.length > 0)
    await writeTenant(w, { ...record, tokens: record.tokens.filter((t) => !removed.includes(t.id)) })
  return removed
}

/** Sets a tenant's status; false when it already had it (nothing written). */
export async function setStatus(
  w: WranglerClient,
  name: string,
  status: TenantRecord['status'],
): Promise<boolean> {
  const record = await requireTenant(w, name)
  if (record.status === status) return false
  await writeTenant(w, { ...record, status })
  return true
}

/**
 * Deletes a tenant: suspends it (so it stops writing), deletes its rows in D1, then its KV record.
 * If it stops half-way the tenant stays suspended and running it again finishes the job.
 */
export async function deleteTenant(
  w: WranglerClient,
  name: string,
  log: Log,
): Promise<Record<string, number>> {
  const record = await requireTenant(w, name)
  if (record.status !== 'suspended') {
    log(`Suspending ${name} first, so it stops writing…`)
    await writeTenant(w, { ...record, status: 'suspended' })
  }
  log(`Deleting the rows of ${name} in database ${record.db}…`)
  let reported = 0
  const rows = await purgeTenantRows(w, record.db, name, (totals) => {
    const total = Object.values(totals).reduce((sum, n) => sum + n, 0)
    if (total > reported) log(`  ${total} rows deleted so far`)
    reported = total
  })
  log(`Deleting the KV record tenant:${name}…`)
  await deleteTenantRecord(w, name)
  return rows
}

/** Summaries of every tenant, without token hashes. */
export function summarize(record: TenantRecord, now = new Date()): TenantSummary {
  return {
    name: record.name,
    status: record.status,
    db: record.db,
    createdAt: record.createdAt,
    tokens: record.tokens.map((t) => ({
      id: t.id,
      ...(t.label !== undefined && { label: t.label }),
      createdAt: t.createdAt,
      ...(t.expiresAt !== undefined && { expiresAt: t.expiresAt }),
      expired: !tokenIsLive(t, now),
    })),
  }
}

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
