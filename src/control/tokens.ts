import type * as z from 'zod'
import { generateToken, generateTokenId, hashToken } from '../tenancy/token'
import { changeTenant } from './change'
import { ControlError } from './control-error'
import { requireTenant } from './find-tenant'
import { type ControlPorts, query, type Statement, statement } from './ports'
import {
  MAX_TOKENS_PER_TENANT,
  problemsOf,
  type RotationInput,
  rotationInputSchema,
  type TokenInput,
  tokenInputSchema,
} from './rules'
import { bumpRevision } from './tenant-row'

/** A token without its hash: what lists and audits show. */
export interface TokenMetadata {
  id: string
  label?: string
  createdAt: string
  expiresAt?: string
  expired: boolean
}

/** A token as handed over: the only time it exists in clear text. */
export interface IssuedToken {
  tenant: string
  token: string
  tokenId: string
  metadata: TokenMetadata
}

export function toTokenMetadata(raw: Record<string, unknown>, now: Date): TokenMetadata {
  const expiresAt = raw.expires_at == null ? undefined : String(raw.expires_at)
  return {
    id: String(raw.id),
    ...(raw.label != null && { label: String(raw.label) }),
    createdAt: String(raw.created_at),
    ...(expiresAt !== undefined && { expiresAt }),
    expired: expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime(),
  }
}

const deleteExpired = (name: string, now: Date) =>
  statement(
    'DELETE FROM tenant_tokens WHERE tenant_name = ? AND expires_at IS NOT NULL AND expires_at <= ?',
    name,
    now.toISOString(),
  )

/**
 * A new token and the INSERT that adds it to an existing tenant unless it holds the most it may.
 * `afterCreate`: only if the statement before it inserted the tenant (changes() is that statement's
 * count), so a create that finds the name taken never gives its token to the existing tenant.
 */
export async function newToken(name: string, input: TokenInput, now: Date, afterCreate = false) {
  const token = generateToken()
  const metadata: TokenMetadata = {
    id: generateTokenId(),
    ...(input.label !== undefined && { label: input.label }),
    createdAt: now.toISOString(),
    ...(input.expiresInSeconds !== undefined && {
      expiresAt: new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString(),
    }),
    expired: false,
  }
  const insert = statement(
    `INSERT INTO tenant_tokens (tenant_name, id, hash, label, created_at, expires_at)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM tenants WHERE name = ?1)
       AND (SELECT count(*) FROM tenant_tokens WHERE tenant_name = ?1) < ?7${afterCreate ? ' AND changes() = 1' : ''}
     RETURNING id`,
    name,
    metadata.id,
    await hashToken(token),
    metadata.label ?? null,
    metadata.createdAt,
    metadata.expiresAt ?? null,
    MAX_TOKENS_PER_TENANT,
  )
  return { issued: { tenant: name, token, tokenId: metadata.id, metadata }, insert }
}

const tooMany = (name: string) =>
  new ControlError(
    'limit',
    `Tenant ${name} already holds ${MAX_TOKENS_PER_TENANT} tokens; revoke one before issuing another`,
  )

/** Runs `before`, the insert of a new token and the revision bump as one transaction, then publishes. */
async function addToken(
  ports: ControlPorts,
  name: string,
  input: TokenInput,
  before: Statement[],
  now: Date,
) {
  const { issued, insert } = await newToken(name, input, now)
  const results = await changeTenant(ports, name, [...before, insert, bumpRevision(name)])
  if (results[before.length]?.rows.length !== 1) throw tooMany(name)
  return { issued, results }
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success)
    throw new ControlError('invalid', 'The token request is not valid', problemsOf(parsed.error))
  return parsed.data
}

/** Issues one more token; the tenant's other tokens stay as they are (expired ones are dropped). */
export async function issueToken(ports: ControlPorts, name: string, input: TokenInput, now = new Date()) {
  const checked = parseInput(tokenInputSchema, input)
  return (await addToken(ports, name, checked, [deleteExpired(name, now)], now)).issued
}

/**
 * Issues a new token; the tenant's other live tokens expire after the grace period (are removed at
 * once when it is 0), so two tokens work during a rotation.
 */
export async function rotateToken(ports: ControlPorts, name: string, input: RotationInput, now = new Date()) {
  const { graceSeconds, ...tokenInput } = parseInput(rotationInputSchema, input)
  const graceEnd = new Date(now.getTime() + graceSeconds * 1000).toISOString()
  const removeStatement = statement(
    `DELETE FROM tenant_tokens WHERE tenant_name = ? AND (?2 = 0 OR (expires_at IS NOT NULL AND expires_at <= ?3))
     RETURNING id`,
    name,
    graceSeconds,
    now.toISOString(),
  )
  const shortenStatement = statement(
    `UPDATE tenant_tokens SET expires_at = CASE WHEN expires_at IS NOT NULL AND expires_at < ?2 THEN expires_at ELSE ?2 END
     WHERE tenant_name = ?1 RETURNING id, expires_at`,
    name,
    graceEnd,
  )
  const { issued, results } = await addToken(
    ports,
    name,
    tokenInput,
    [removeStatement, shortenStatement],
    now,
  )
  return {
    ...issued,
    removed: (results[0]?.rows ?? []).map((r) => String(r.id)),
    kept: (results[1]?.rows ?? []).map((r) => ({ id: String(r.id), expiresAt: String(r.expires_at) })),
  }
}

/** The tenant's tokens, without hashes. */
export async function listTokens(ports: ControlPorts, name: string, now = new Date()) {
  await requireTenant(ports, name)
  return (await tokensOf(ports, [name], now)).get(name) ?? []
}

/** Removes one token, or every token when `tokenId` is undefined; the ids removed. */
export async function revokeTokens(ports: ControlPorts, name: string, tokenId?: string): Promise<string[]> {
  const [removed] = await changeTenant(ports, name, [
    statement(
      'DELETE FROM tenant_tokens WHERE tenant_name = ? AND (?2 IS NULL OR id = ?2) RETURNING id',
      name,
      tokenId ?? null,
    ),
    bumpRevision(name),
  ])
  const ids = (removed?.rows ?? []).map((r) => String(r.id))
  if (tokenId !== undefined && ids.length === 0)
    throw new ControlError('not_found', `Tenant ${name} has no token ${tokenId}`)
  return ids
}

/** The tokens of several tenants, by tenant (one query). */
export async function tokensOf(ports: ControlPorts, names: readonly string[], now = new Date()) {
  const byTenant = new Map<string, TokenMetadata[]>(names.map((n) => [n, []]))
  if (names.length === 0) return byTenant
  const rows = await query(
    ports.control,
    `SELECT tenant_name, id, label, created_at, expires_at FROM tenant_tokens
     WHERE tenant_name IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`,
    JSON.stringify(names),
  )
  for (const row of rows) byTenant.get(String(row.tenant_name))?.push(toTokenMetadata(row, now))
  return byTenant
}
