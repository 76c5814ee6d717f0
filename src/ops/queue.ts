import { ACTIVITY_QUEUE, consumeActivity } from '../activity/consumer'
import { d1Port } from '../admin/worker-ports'
import { parkDeadLetters } from '../webhooks/dead-letters'
import { resourceStateOf } from '../webhooks/resource-state'
import { webhookKeyOf } from '../webhooks/secret-box'
import { consumeWebhooks, type WebhookMessage } from '../webhooks/webhook-consumer'

/** The queue this Worker consumes for webhook delivery (wrangler.toml `[[queues.consumers]]`). */
export const WEBHOOK_QUEUE = 'edge-scim-webhooks'
/** Where the webhook queue moves a message after its last retry; parked in D1 by this Worker. */
export const WEBHOOK_DEAD_LETTER_QUEUE = 'edge-scim-webhooks-dlq'

/** The Worker's queue consumer, one branch per queue name. */
export async function queue(batch: MessageBatch, env: Env): Promise<void> {
  switch (batch.queue) {
    case ACTIVITY_QUEUE:
      return consumeActivity(batch, env)
    case WEBHOOK_QUEUE: {
      const key = webhookKeyOf(env)
      const producer = env.SCIM_WEBHOOKS as Queue<WebhookMessage> | undefined
      // Without the key or the producer nothing can be sent: keep the messages for later.
      if (!key || !producer) return batch.retryAll({ delaySeconds: 300 })
      return consumeWebhooks(batch as MessageBatch<WebhookMessage>, {
        control: d1Port(env.DB),
        queue: producer,
        secretKey: key,
        send: fetch,
        readResource: (event) => resourceStateOf(env, event),
      })
    }
    case WEBHOOK_DEAD_LETTER_QUEUE:
      return parkDeadLetters(d1Port(env.DB), batch as MessageBatch<WebhookMessage>)
    default:
      throw new Error(`No consumer for queue ${batch.queue}`)
  }
}
