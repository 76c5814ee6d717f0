import { Webhook } from 'standardwebhooks'

/**
 * Standard Webhooks headers for one attempt: `webhook-id` is the event's id (the same on every
 * retry, receivers de-duplicate by it), `webhook-timestamp` is this attempt's, and
 * `webhook-signature` lists one `v1,` HMAC-SHA256 per live secret (during a rotation's grace
 * period the previous one too, so a receiver holding either verifies).
 */
export function signedHeaders(secrets: readonly string[], id: string, at: Date, body: string) {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, at, body))
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  }
}
