/**
 * A SaaS application's Worker: it consumes edge-scim's change events from the `edge-scim-events`
 * queue and reads the changed user through the Directory RPC entrypoint, at least at the event's
 * commit (its D1 bookmark). It logs one JSON line per event; a real application updates its own
 * accounts there. Every other Directory method (README, "Reading the directory from your
 * application") is called the same way.
 */
import type { Directory, SecurityEventToken } from '../../src/index'

interface Env {
  DIRECTORY: Service<Directory>
}

/** `https://acme.scim.example.com/scim/v2` → `acme` (locally `http://acme.localhost:8787/…`). */
const tenantOf = (iss: string) => new URL(iss).hostname.split('.')[0] as string

export default {
  async queue(batch: MessageBatch<SecurityEventToken>, env: Env) {
    for (const message of batch.messages) {
      const { jti, iss, sub_id, events, d1_bookmark } = message.body
      const tenant = tenantOf(iss)
      const [, type, id] = sub_id.uri.split('/')
      const user =
        type === 'Users' ? await env.DIRECTORY.getUser(tenant, id as string, { bookmark: d1_bookmark }) : null
      const change = Object.keys(events)[0]?.replace('urn:ietf:params:scim:event:', '')
      console.log(
        JSON.stringify({ saasApp: 'event', jti, tenant, type, id, change, userName: user?.userName ?? null }),
      )
      message.ack()
    }
  },
} satisfies ExportedHandler<Env, SecurityEventToken>
