import * as z from 'zod'
import { generateTokenId, hashToken, hex, randomSecret } from '../tenancy/token'
import { ControlError } from './control-error'
import { type ControlPorts, query, statement } from './ports'
import { problemsOf } from './rules'
import { requireTenant } from './tenants'

/**
 * Setup links: one-time, expiring, revocable credentials that let a tenant's IT admin open the setup
 * page (src/setup/). Only the SHA-256 of a link's secret is stored; redeeming it is a guarded UPDATE,
 * so two clicks cannot both succeed. A redeemed link opens a short session, stored hashed as well.
 */
export const SETUP_SECRET_PREFIX = 'scimsl_'
export const SETUP_SECRET_PATTERN = /^scimsl_[A-Za-z0-9_-]{43}$/
export const DEFAULT_LINK_HOURS = 72
const MAX_LINK_HOURS = 30 * 24
/** How long the page stays open after the link is redeemed. */
export const SESSION_SECONDS = 3600

export const setupLinkInputSchema = z
  .object({
    expiresInHours: z.number().int().min(1).max(MAX_LINK_HOURS).optional(),
  })
  .strict()
export type SetupLinkInput = z.input<typeof setupLinkInputSchema>

export interface SetupLink {
  id: string
  tenant: string
  createdAt: string
  expiresAt: string
  redeemedAt?: string
  revokedAt?: string
  createdBy?: string
  /** `active`, `redeemed`, `expired` or `revoked`. */
  state: SetupLinkState
}
export type SetupLinkState = 'active' | 'redeemed' | 'expired' | 'revoked'

const linkId = () => generateTokenId().replace('tok_', 'sl_')

function toSetupLink(row: Record<string, unknown>, now: Date): SetupLink {
  const opt = (key: string) => (row[key] == null ? undefined : String(row[key]))
  const link = {
    id: String(row.id),
    tenant: String(row.tenant_name),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    redeemedAt: opt('redeemed_at'),
    revokedAt: opt('revoked_at'),
    createdBy: opt('created_by'),
  }
  return { ...link, state: linkState(link, now) }
}

export function linkState(link: Omit<SetupLink, 'state'>, now: Date): SetupLinkState {
  if (link.revokedAt) return 'revoked'
  if (link.redeemedAt) return 'redeemed'
  return Date.parse(link.expiresAt) <= now.getTime() ? 'expired' : 'active'
}

const LINK_COLUMNS = 'id, tenant_name, created_at, expires_at, redeemed_at, revoked_at, created_by'

/** Issues a link; the secret exists only in the answer. */
export async function createSetupLink(
  ports: ControlPorts,
  name: string,
  input: SetupLinkInput,
  createdBy: string,
  now = new Date(),
) {
  const parsed = setupLinkInputSchema.safeParse(input)
  if (!parsed.success)
    throw new ControlError('invalid', 'The setup link request is not valid', problemsOf(parsed.error))
  await requireTenant(ports, name)
  const secret = randomSecret(SETUP_SECRET_PREFIX)
  const hours = parsed.data.expiresInHours ?? DEFAULT_LINK_HOURS
  const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString()
  const id = linkId()
  const [inserted] = await ports.control.batch([
    statement(
      `INSERT INTO setup_links (id, tenant_name, hash, created_at, expires_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING ${LINK_COLUMNS}`,
      id,
      name,
      await hashToken(secret),
      now.toISOString(),
      expiresAt,
      createdBy,
    ),
  ])
  const row = inserted?.rows[0]
  if (!row) throw new Error(`setup link ${id} was not stored`)
  return { secret, link: toSetupLink(row, now) }
}

export async function listSetupLinks(ports: ControlPorts, name: string, now = new Date()) {
  await requireTenant(ports, name)
  const rows = await query(
    ports.control,
    `SELECT ${LINK_COLUMNS} FROM setup_links WHERE tenant_name = ? ORDER BY created_at DESC, id LIMIT 100`,
    name,
  )
  return rows.map((r) => toSetupLink(r, now))
}

/** Revokes a link and ends the sessions it opened, at once. */
export async function revokeSetupLink(ports: ControlPorts, name: string, id: string, now = new Date()) {
  await requireTenant(ports, name)
  const [updated] = await ports.control.batch([
    statement(
      `UPDATE setup_links SET revoked_at = coalesce(revoked_at, ?) WHERE tenant_name = ? AND id = ?
       RETURNING ${LINK_COLUMNS}`,
      now.toISOString(),
      name,
      id,
    ),
    statement('DELETE FROM setup_sessions WHERE link_id = ? AND tenant_name = ?', id, name),
  ])
  const row = updated?.rows[0]
  if (!row) throw new ControlError('not_found', `Tenant ${name} has no setup link ${id}`)
  return toSetupLink(row, now)
}

/** Why a link opens nothing: what the page tells its holder. */
export type RedeemRefusal = 'unknown' | Exclude<SetupLinkState, 'active'>

export type Redemption =
  | { ok: true; session: string; linkId: string; expiresAt: string }
  | { ok: false; reason: RedeemRefusal }

/** What a link is, without redeeming it (GET never redeems). */
export async function inspectSetupLink(ports: ControlPorts, name: string, secret: string, now = new Date()) {
  if (!SETUP_SECRET_PATTERN.test(secret)) return undefined
  const [row] = await query(
    ports.control,
    `SELECT ${LINK_COLUMNS} FROM setup_links WHERE hash = ? AND tenant_name = ?`,
    await hashToken(secret),
    name,
  )
  return row ? toSetupLink(row, now) : undefined
}

/**
 * Redeems a link once: the UPDATE succeeds only while it is unredeemed, unrevoked and unexpired, and
 * the session is inserted in the same transaction only if it did.
 */
export async function redeemSetupLink(
  ports: ControlPorts,
  name: string,
  secret: string,
  now = new Date(),
): Promise<Redemption> {
  if (!SETUP_SECRET_PATTERN.test(secret)) return { ok: false, reason: 'unknown' }
  const hash = await hashToken(secret)
  const session = hex(crypto.getRandomValues(new Uint8Array(32)))
  const expiresAt = new Date(now.getTime() + SESSION_SECONDS * 1000).toISOString()
  const at = now.toISOString()
  const [redeemed] = await ports.control.batch([
    statement(
      `UPDATE setup_links SET redeemed_at = ?1 WHERE hash = ?2 AND tenant_name = ?3
       AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > ?1 RETURNING id`,
      at,
      hash,
      name,
    ),
    statement(
      `INSERT INTO setup_sessions (hash, tenant_name, link_id, created_at, expires_at)
       SELECT ?, ?3, id, ?4, ?5 FROM setup_links WHERE hash = ?2 AND tenant_name = ?3 AND redeemed_at = ?4`,
      await hashToken(session),
      hash,
      name,
      at,
      expiresAt,
    ),
  ])
  const id = redeemed?.rows[0]?.id
  if (id !== undefined) return { ok: true, session, linkId: String(id), expiresAt }
  const link = await inspectSetupLink(ports, name, secret, now)
  return { ok: false, reason: link ? (link.state === 'active' ? 'redeemed' : link.state) : 'unknown' }
}

export interface SetupSession {
  tenant: string
  linkId: string
  linkCreatedAt: string
  expiresAt: string
}

/** The live session of `tenant` with this cookie secret; undefined when expired, revoked or another tenant's. */
export async function readSetupSession(
  ports: ControlPorts,
  name: string,
  session: string,
  now = new Date(),
): Promise<SetupSession | undefined> {
  if (!/^[0-9a-f]{64}$/.test(session)) return undefined
  const [row] = await query(
    ports.control,
    `SELECT s.link_id, s.expires_at, l.created_at FROM setup_sessions s JOIN setup_links l ON l.id = s.link_id
     WHERE s.hash = ? AND s.tenant_name = ? AND l.tenant_name = s.tenant_name AND l.revoked_at IS NULL
     AND s.expires_at > ?`,
    await hashToken(session),
    name,
    now.toISOString(),
  )
  if (!row) return undefined
  return {
    tenant: name,
    linkId: String(row.link_id),
    linkCreatedAt: String(row.created_at),
    expiresAt: String(row.expires_at),
  }
}

/** The setup and activity rows of a tenant, for its deletion. */
export const deleteSetupAndActivity = (name: string) =>
  ['setup_sessions', 'setup_links', 'scim_failures', 'scim_usage', 'token_usage', 'tenant_activity'].map(
    (table) => statement(`DELETE FROM ${table} WHERE tenant_name = ?`, name),
  )

/** Sessions past their end and links expired a week ago: the cron's share. */
export const pruneSetupStatements = (now: Date) => [
  statement('DELETE FROM setup_sessions WHERE expires_at <= ?', now.toISOString()),
  statement(
    'DELETE FROM setup_links WHERE expires_at <= ?',
    new Date(now.getTime() - 7 * 86_400_000).toISOString(),
  ),
]
