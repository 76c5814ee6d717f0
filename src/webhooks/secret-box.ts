import { base64url } from '../tenancy/token'

/**
 * Webhook signing secrets at rest: AES-GCM under a key derived (HKDF-SHA-256) from the
 * WEBHOOK_SECRET_KEY Worker secret. The Worker must sign with the secret, so it is encrypted,
 * not hashed; D1 alone (a backup, an export) cannot reveal one.
 */

const encoder = new TextEncoder()
const SIGNING_PREFIX = 'whsec_'

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  let binary = ''
  for (const b of crypto.getRandomValues(new Uint8Array(32))) binary += String.fromCharCode(b)
  return SIGNING_PREFIX + btoa(binary)
}

async function boxKey(masterKey: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(masterKey), 'HKDF', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: encoder.encode('edge-scim webhook secrets'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

const fromBase64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (ch) => ch.charCodeAt(0))

/** `endpointId` is bound as additional data: a ciphertext copied to another row does not open. */
export async function sealSecret(masterKey: string, endpointId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(endpointId) },
    await boxKey(masterKey),
    encoder.encode(secret),
  )
  return `${base64url(iv)}.${base64url(new Uint8Array(data))}`
}

export async function openSecret(masterKey: string, endpointId: string, sealed: string): Promise<string> {
  const [iv = '', data = ''] = sealed.split('.')
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: encoder.encode(endpointId) },
    await boxKey(masterKey),
    fromBase64url(data),
  )
  return new TextDecoder().decode(plain)
}

/** The key, or undefined when the operator has not set one (the webhook routes then answer 503). */
export function webhookKeyOf(env: { readonly WEBHOOK_SECRET_KEY?: unknown }): string | undefined {
  const key = env.WEBHOOK_SECRET_KEY
  return typeof key === 'string' && key.length >= 32 ? key : undefined
}
