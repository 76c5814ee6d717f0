import type { MiddlewareHandler } from 'hono'
import { authenticateOperatorKey } from '../control/operator-keys'
import { isBaseHost, requestHost } from '../http/base-host'
import { enforceRateLimit } from '../ops/rate-limit'
import type { AdminEnv } from './admin-env'
import { Problem } from './problem'
import { workerPorts } from './worker-ports'

const UNAUTHORIZED = 'A valid operator key is required: Authorization: Bearer scimop_…'

/** Only the bare base domain serves the management API; a tenant's subdomain never does. */
export const baseHostOnly: MiddlewareHandler<AdminEnv> = async (c, next) => {
  if (!isBaseHost(requestHost(c.req), c.env))
    throw new Problem(
      404,
      `No endpoint at ${c.req.path} on this host: the management API is on the base domain`,
    )
  c.set('ports', workerPorts(c.env))
  await next()
}

/**
 * Authenticates the operator key against D1 on every request (so a revoked key stops at once), then
 * counts the request against the rate limit under the key (`admin:` keeps it apart from tenants').
 * A tenant token never matches: its prefix is `scimsk_`, and only `scimop_` keys are looked up.
 */
export const operatorAuth: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const match = /^Bearer (\S+)$/i.exec(c.req.header('authorization') ?? '')
  const key = match?.[1]
  const keyId = key && (await authenticateOperatorKey(c.var.ports.control, key))
  if (!key || !keyId) throw new Problem(401, UNAUTHORIZED)
  c.set('operatorKeyId', keyId)
  c.set('operatorKey', key)
  await enforceRateLimit(c as never, `admin:${keyId}`)
  await next()
}
