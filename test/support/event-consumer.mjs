/**
 * The SaaS application's side of change events in the tests: consumes the queue and records each
 * Security Event Token payload in KV under `<iss> <jti>`, so a redelivery overwrites the first copy
 * as a receiver that de-duplicates by `jti` would.
 */
export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      await env.SINK.put(`${message.body.iss} ${message.body.jti}`, JSON.stringify(message.body))
      message.ack()
    }
  },
}
