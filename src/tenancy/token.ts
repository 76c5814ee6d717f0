/**
 * Bearer tokens: `scimsk_` + 43 base64url characters (32 random bytes). The prefix lets secret
 * scanners find leaked tokens (`scimsk_[A-Za-z0-9_-]{43}`); only the SHA-256 hash is ever stored.
 * This module runs both in the Worker and in the Node tenant command (Web Crypto in both).
 */
export const TOKEN_PREFIX = 'scimsk_'
const TOKEN_BYTES = 32
export const TOKEN_PATTERN = /^scimsk_[A-Za-z0-9_-]{43}$/

export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** `prefix` + 43 base64url characters of 32 random bytes: tenant tokens and operator keys. */
export function randomSecret(prefix: string): string {
  return prefix + base64url(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)))
}

/** A new random token. */
export function generateToken(): string {
  return randomSecret(TOKEN_PREFIX)
}

/** A short public identifier for a token, used to revoke it and to attribute changes to it. */
export function generateTokenId(): string {
  return `tok_${hex(crypto.getRandomValues(new Uint8Array(8)))}`
}

/** SHA-256 of the token, hex encoded: the only form in which a token is stored. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return hex(new Uint8Array(digest))
}

/** Compares two equal-length hex digests without an early exit, so timing reveals nothing. */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
