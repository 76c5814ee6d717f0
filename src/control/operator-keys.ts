import { digestsEqual, hashToken, hex, randomSecret } from '../tenancy/token'
import { ControlError } from './control-error'
import { query, type SqlPort, statement } from './ports'

/**
 * Keys of the management API: `scimop_` + 43 base64url characters, stored only as SHA-256 hashes in
 * D1 and checked there on every admin request, so a revoked key stops at once. Several live at once,
 * so a key is rotated by creating the next one before revoking the last. The prefix differs from a
 * tenant token's (`scimsk_`), so neither pattern accepts the other and neither opens the other's API.
 */
export const OPERATOR_KEY_PREFIX = 'scimop_'
export const OPERATOR_KEY_PATTERN = /^scimop_[A-Za-z0-9_-]{43}$/

export interface OperatorKeyMetadata {
  keyId: string
  label?: string
  createdAt: string
  revokedAt?: string
}

const toMetadata = (raw: Record<string, unknown>): OperatorKeyMetadata => ({
  keyId: String(raw.id),
  ...(raw.label != null && { label: String(raw.label) }),
  createdAt: String(raw.created_at),
  ...(raw.revoked_at != null && { revokedAt: String(raw.revoked_at) }),
})

/** A new key; the clear key is returned once and never stored. */
export async function createOperatorKey(control: SqlPort, label?: string, now = new Date()) {
  const key = randomSecret(OPERATOR_KEY_PREFIX)
  const keyId = `key_${hex(crypto.getRandomValues(new Uint8Array(8)))}`
  const createdAt = now.toISOString()
  await control.batch([
    statement(
      'INSERT INTO operator_keys (id, hash, label, created_at) VALUES (?, ?, ?, ?)',
      keyId,
      await hashToken(key),
      label ?? null,
      createdAt,
    ),
  ])
  return { keyId, key, ...(label !== undefined && { label }), createdAt }
}

export async function listOperatorKeys(control: SqlPort): Promise<OperatorKeyMetadata[]> {
  const rows = await query(
    control,
    'SELECT id, label, created_at, revoked_at FROM operator_keys ORDER BY created_at, id',
  )
  return rows.map(toMetadata)
}

/** Revokes a key; it stops working with the next request. */
export async function revokeOperatorKey(control: SqlPort, keyId: string, now = new Date()) {
  const [revoked] = await control.batch([
    statement(
      'UPDATE operator_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id',
      now.toISOString(),
      keyId,
    ),
  ])
  if (revoked?.rows.length === 1) return
  const known = await query(control, 'SELECT 1 FROM operator_keys WHERE id = ?', keyId)
  throw new ControlError(
    'not_found',
    known.length > 0 ? `Operator key ${keyId} is already revoked` : `There is no operator key ${keyId}`,
  )
}

/** The id of the live key `key` is, or undefined. The hash found is compared again in constant time. */
export async function authenticateOperatorKey(control: SqlPort, key: string): Promise<string | undefined> {
  if (!OPERATOR_KEY_PATTERN.test(key)) return undefined
  const hash = await hashToken(key)
  const [row] = await query(
    control,
    'SELECT id, hash FROM operator_keys WHERE hash = ? AND revoked_at IS NULL',
    hash,
  )
  return row && digestsEqual(String(row.hash), hash) ? String(row.id) : undefined
}
