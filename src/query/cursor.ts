import { ScimError } from '../http/scim-error'
import { CURSOR_TIMEOUT_SECONDS } from './limits'
import type { RowPosition, SortValue } from './sort'

/** What a cursor is valid for: the tenant and the query it was issued for (RFC 9865 §2, "identical" parameters). */
export interface CursorBinding {
  readonly tenant: string
  readonly resourceType: 'User' | 'Group' | 'root'
  readonly filter: string | undefined
  readonly sortBy: string | undefined
  readonly sortOrder: 'ascending' | 'descending'
}

/**
 * Where a cursor resumes: the rows after `after` (`next`) or before it (`previous`), in the query's
 * order; `next` without `after` is the first page.
 */
export interface CursorPosition {
  readonly direction: 'next' | 'previous'
  readonly after?: RowPosition
}

/** The shortest secret accepted: 32 characters, e.g. `openssl rand -base64 32`. */
const MIN_SECRET_LENGTH = 32
// Far above any real cursor; bounds the work spent on a forged one.
const MAX_CURSOR_LENGTH = 4096
const TOKEN = /^[A-Za-z0-9_-]+$/

/**
 * RFC 9865 §2.1 `invalidCursor`, with one message whatever the reason (forged, altered, another
 * tenant's or another query's), as RFC 9865 §5.2 asks.
 */
export const invalidCursor = () =>
  new ScimError(
    400,
    'The cursor is not valid for this query: send a nextCursor or previousCursor value returned for the same query with the same parameters, or an empty cursor for the first page',
    'invalidCursor',
  )

/** Cursor paging without the cursor secret configured (ServiceProviderConfig then says `cursor: false`). */
export const cursorsDisabled = () =>
  new ScimError(
    400,
    'Cursor pagination is not enabled on this server (ServiceProviderConfig pagination.cursor is false): page with startIndex',
    'invalidCursor',
  )

/**
 * The cursor secret of the Worker's environment (`CURSOR_SECRET`: a `wrangler secret`, a
 * `.dev.vars` entry locally, a binding in tests), or undefined when absent or too short, which turns
 * cursor paging off rather than sealing with a weak key.
 */
export function cursorSecretOf(env: { readonly CURSOR_SECRET?: unknown }): string | undefined {
  const secret = env.CURSOR_SECRET
  return typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH ? secret : undefined
}

const utf8 = new TextEncoder()
// AES-GCM's 96-bit nonce and 128-bit tag.
const NONCE_BYTES = 12
const TAG_BYTES = 16
const KEY_INFO = utf8.encode('scim-cursor-v2 AES-256-GCM')

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** The AES-GCM key of `secret`, derived with HKDF-SHA-256 (RFC 5869) so the secret itself is never a key. */
async function cursorKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', utf8.encode(secret), 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: KEY_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

// The binding is authenticated but not carried: a cursor used with another tenant or query fails to open.
const boundTo = (binding: CursorBinding) =>
  utf8.encode(
    JSON.stringify([
      'scim-cursor-v2',
      binding.tenant,
      binding.resourceType,
      binding.filter ?? null,
      binding.sortBy ?? null,
      binding.sortOrder,
    ]),
  )

interface Payload {
  d: 'n' | 'p'
  /** Expiry, seconds since the epoch. */
  x: number
  k?: SortValue
  i?: string
}

/**
 * Issues an opaque cursor (RFC 9865 §2): the position and expiry as JSON, encrypted with AES-GCM
 * under a key derived from `CURSOR_SECRET`, with the binding as additional authenticated data;
 * base64url of nonce and ciphertext, so only URL-unreserved characters (RFC 3986 §2.3). Encrypted,
 * not just signed, so that no sort value can be read from a cursor.
 */
export async function sealCursor(
  secret: string,
  binding: CursorBinding,
  position: CursorPosition,
  now = Date.now(),
): Promise<string> {
  const body: Payload = {
    d: position.direction === 'next' ? 'n' : 'p',
    x: Math.floor(now / 1000) + CURSOR_TIMEOUT_SECONDS,
    ...(position.after ? { k: position.after.key, i: position.after.id } : {}),
  }
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: boundTo(binding) },
    await cursorKey(secret),
    utf8.encode(JSON.stringify(body)),
  )
  const bytes = new Uint8Array(NONCE_BYTES + sealed.byteLength)
  bytes.set(nonce)
  bytes.set(new Uint8Array(sealed), NONCE_BYTES)
  return toBase64Url(bytes)
}

function readPayload(plain: ArrayBuffer): Payload | undefined {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder().decode(plain))
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null) return undefined
  const { d, x, k, i } = body as Record<string, unknown>
  const key = k === undefined || k === null || typeof k === 'string' || typeof k === 'number'
  if ((d !== 'n' && d !== 'p') || typeof x !== 'number' || !key) return undefined
  if ((i === undefined) !== (k === undefined) || (i !== undefined && typeof i !== 'string')) return undefined
  if (d === 'p' && i === undefined) return undefined
  return body as Payload
}

/** The cursor's plaintext, or undefined when it is not one we sealed for this binding with this secret. */
async function unseal(
  secret: string,
  binding: CursorBinding,
  cursor: string,
): Promise<ArrayBuffer | undefined> {
  if (cursor.length > MAX_CURSOR_LENGTH || !TOKEN.test(cursor)) return undefined
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(cursor)
  } catch {
    return undefined
  }
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined
  try {
    return await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, NONCE_BYTES), additionalData: boundTo(binding) },
      await cursorKey(secret),
      bytes.subarray(NONCE_BYTES),
    )
  } catch {
    // The tag did not verify: altered, forged, another binding or another secret.
    return undefined
  }
}

/**
 * Opens a cursor for the request's binding and returns its position; RFC 9865 §2.1: 400
 * `invalidCursor` unless it was issued by us for this tenant and query, `expiredCursor` after
 * `cursorTimeout`.
 */
export async function openCursor(
  secret: string,
  binding: CursorBinding,
  cursor: string,
  now = Date.now(),
): Promise<CursorPosition> {
  const plain = await unseal(secret, binding, cursor)
  const body = plain && readPayload(plain)
  if (!body) throw invalidCursor()
  if (body.x * 1000 < now) {
    throw new ScimError(
      400,
      `The cursor has expired (cursors are valid for ${CURSOR_TIMEOUT_SECONDS} seconds): start again from the first page`,
      'expiredCursor',
    )
  }
  const direction = body.d === 'n' ? 'next' : 'previous'
  return body.i === undefined ? { direction } : { direction, after: { key: body.k ?? null, id: body.i } }
}
