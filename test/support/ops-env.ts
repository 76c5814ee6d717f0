import { env } from 'cloudflare:workers'
import type { SecurityEventToken } from '../../src/ops/set-payload'

/** The Worker's env with the bindings vitest.config.ts adds for the operations tests. */
export const opsEnv = env as Env & {
  EVENT_SINK: KVNamespace
  DB_EVENTS_TEST: D1Database
  RATE_LIMITER_TEST: RateLimit
}

/** The SCIM base URL of a tenant: the `iss` of its change events. */
export const issuer = (tenant: { name: string }) => `https://${tenant.name}.${env.BASE_DOMAIN}/scim/v2`

/** What the local queue consumer received for `iss`, once at least `count` events arrived. */
export async function receivedEvents(iss: string, count: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { keys } = await opsEnv.EVENT_SINK.list({ prefix: `${iss} ` })
    if (keys.length >= count) {
      const values = await Promise.all(keys.map((key) => opsEnv.EVENT_SINK.get(key.name, 'json')))
      return (values as SecurityEventToken[]).sort((a, b) => a.toe - b.toe)
    }
    if (Date.now() > deadline) throw new Error(`${keys.length} of ${count} events arrived for ${iss}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
