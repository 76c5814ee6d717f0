import type { WorkerOptions } from 'miniflare'

/**
 * Stand-in consumers for the queues the Worker produces to but no Worker here consumes (the SaaS
 * application's consumer is deployed on its own). Without a consumer, Miniflare's local queue broker
 * answers a send without reading its body and drops the messages; under load workerd then resets
 * every client connection in flight (bursts of 8 with 8 in flight; `wrangler dev` shows the same as
 * "Your worker restarted mid-request"). The stand-in acknowledges and drops each message — what the
 * broker did anyway — so the producer runs as it does in production, where Queues accept the send.
 */
export function queueStandIns(workers: readonly WorkerOptions[], compatibilityDate: string): WorkerOptions[] {
  const produced = new Set(
    workers.flatMap((w) =>
      Object.values(w.queueProducers ?? {}).map((p) =>
        typeof p === 'string' ? p : (p as { queueName: string }).queueName,
      ),
    ),
  )
  const consumed = new Set(
    workers.flatMap((w) =>
      Array.isArray(w.queueConsumers) ? w.queueConsumers : Object.keys(w.queueConsumers ?? {}),
    ),
  )
  const orphans = [...produced].filter((queue) => !consumed.has(queue))
  if (orphans.length === 0) return []
  return [
    {
      name: 'queue-stand-in',
      modules: true,
      script: 'export default { async queue(batch) { batch.ackAll() } }',
      compatibilityDate,
      queueConsumers: Object.fromEntries(orphans.map((queue) => [queue, { maxBatchTimeout: 0.05 }])),
    },
  ]
}
