import { env } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import type { WebhookEvent } from '../../src/webhooks/webhook-event'
import { admin } from './admin-client'

/** One request the test receiver (webhook-receiver.mjs) got: its headers and raw body. */
export interface Received {
  headers: Record<string, string>
  body: string
}

/** The requests the receiver got on `path`, waiting until there are at least `count`. */
export async function received(path: string, count: number): Promise<Received[]> {
  for (let i = 0; i < 400; i++) {
    const { keys } = await env.WEBHOOK_SINK.list({ prefix: `${path} ` })
    if (keys.length >= count) {
      const values = await Promise.all(keys.map((k) => env.WEBHOOK_SINK.get(k.name)))
      return values.map((v) => JSON.parse(v ?? '{}') as Received)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`the receiver got fewer than ${count} requests on ${path}`)
}

/** A fresh path on the receiver and the endpoint URL that reaches it. */
export const receiverUrl = (kind: string) => {
  const path = `/${kind}-${crypto.randomUUID().slice(0, 8)}`
  return { path, url: `http://localhost:8971${path}` }
}

/** Registers a webhook endpoint through the management API; answers it and its secret. */
export async function registerWebhook(key: string, body: Record<string, unknown>) {
  const res = await admin('/webhooks', { key, body })
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`)
  return res.json as { endpoint: { id: string }; secret: string }
}

/** The deliveries on `path`, each verified with the standardwebhooks package (it throws on a bad signature). */
export async function verifiedEvents(path: string, secret: string, count: number) {
  const deliveries = await received(path, count)
  return deliveries.map((d) => new Webhook(secret).verify(d.body, d.headers) as WebhookEvent)
}
