/**
 * A SaaS application's webhook receiver on Node, with no framework: it verifies each delivery with the
 * `standardwebhooks` package on the raw body, skips a `webhook-id` it has already processed, applies
 * an event only when it is newer (`seq`) than the last one applied to the same resource, and prints
 * each applied event as a JSON line on stdout.
 *
 *   WEBHOOK_SECRET=whsec_… PORT=8976 npx tsx examples/webhook-receiver.ts
 *
 * Register `http://localhost:8976/webhooks` first (README, "Consuming changes"). A real application
 * keeps `processed` and `appliedSeq` in its database, in the transaction that applies the change.
 */
import http from 'node:http'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import type { WebhookEvent } from '../src/client/edge-scim-client'

const secret = process.env.WEBHOOK_SECRET
if (!secret?.startsWith('whsec_')) {
  process.stderr.write('Set WEBHOOK_SECRET to the whsec_… secret the management API answered.\n')
  process.exit(1)
}
const port = Number(process.env.PORT ?? 8976)
const webhook = new Webhook(secret)
const processed = new Set<string>()
const appliedSeq = new Map<string, number>()

function apply(event: WebhookEvent): 'applied' | 'stale' {
  const key = `${event.tenant}/${event.resource.type}/${event.resource.id}`
  if ((appliedSeq.get(key) ?? 0) >= event.seq) return 'stale'
  appliedSeq.set(key, event.seq)
  // Here the application creates, updates or removes its account, and ends the sessions of a
  // `deactivation` (the user was deactivated or deleted).
  const { id, type, types, tenant, seq, resource } = event
  process.stdout.write(`${JSON.stringify({ id, type, types, tenant, seq, resource })}\n`)
  return 'applied'
}

async function rawBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const server = http.createServer(async (request, response) => {
  if (request.method !== 'POST' || request.url !== '/webhooks') return response.writeHead(404).end()
  const body = await rawBody(request)
  let event: WebhookEvent
  try {
    event = webhook.verify(body, request.headers as Record<string, string>) as WebhookEvent
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error
    process.stderr.write(`refused: ${error.message}\n`)
    return response.writeHead(401).end()
  }
  // At least once: a retry or the cron's re-send can bring the same event again.
  if (processed.has(event.id)) process.stderr.write(`duplicate: ${event.id}\n`)
  else {
    // No order is guaranteed: an event older than one already applied to its resource is skipped.
    if (apply(event) === 'stale') process.stderr.write(`stale: ${event.id} (seq ${event.seq})\n`)
    processed.add(event.id)
  }
  response.writeHead(204).end()
})

server.listen(port, '127.0.0.1', () => {
  process.stderr.write(`Receiving webhooks on http://localhost:${port}/webhooks\n`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => server.close(() => process.exit(0)))
