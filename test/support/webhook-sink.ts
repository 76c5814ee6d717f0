import { env } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import type { WebhookEvent } from '../../src/webhooks/webhook-event'

/** What test/support/webhook-receiver.mjs recorded: one request to the receiver and what it answered. */
export interface ReceivedRequest {
  headers: Record<string, string>
  body: string
  status: number
}

const sink = (env as Env & { WEBHOOK_SINK: KVNamespace }).WEBHOOK_SINK

/** A fresh receiver path of `kind` (its behaviour, see the receiver) and the URL the Worker posts to. */
export function receiverUrl(kind: string) {
  const path = `/${kind}-${crypto.randomUUID().slice(0, 8)}`
  return { path, url: `http://localhost:8971${path}` }
}

/** Every request the receiver got on `path` so far. */
export async function requestsTo(path: string): Promise<ReceivedRequest[]> {
  const { keys } = await sink.list({ prefix: `${path} ` })
  const values = await Promise.all(keys.map((k) => sink.get(k.name)))
  return values.map((v) => JSON.parse(v ?? '{}') as ReceivedRequest)
}

/** Takes an /outage receiver down (it answers 500) or brings it back. */
export async function setReceiverDown(path: string, down: boolean) {
  if (down) await sink.put(`state ${path}`, 'down')
  else await sink.delete(`state ${path}`)
}

/** The events the receiver accepted (2xx) on `path`, each verified with `secret`, once per id. */
export async function acceptedEvents(path: string, secret: string): Promise<Map<string, WebhookEvent>> {
  const accepted = new Map<string, WebhookEvent>()
  for (const request of await requestsTo(path)) {
    if (request.status >= 300) continue
    const event = new Webhook(secret).verify(request.body, request.headers) as WebhookEvent
    accepted.set(event.id, event)
  }
  return accepted
}

/** Polls `check` every 250 ms until it is true, up to `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
