import { parseDirectoryError } from '../directory/directory-error'
import { openTenant } from '../directory/open-tenant'
import { getGroup, getUser } from '../directory/reads'
import type { WebhookEvent } from './webhook-event'

/**
 * The resource of `event` as it is now, for an endpoint that asked for it (`includeResource`):
 * Directory's own read (one D1 round trip; a User with its groups, a Group without its members),
 * on a session at least as new as the event's commit (its `d1_bookmark`). Null when the resource
 * is gone, or its tenant is deleted or suspended; any other failure fails the attempt, which is
 * retried.
 */
export async function resourceStateOf(env: Env, event: WebhookEvent) {
  const bookmark = event.set.d1_bookmark
  const options = bookmark === undefined ? undefined : { bookmark }
  let opened: Awaited<ReturnType<typeof openTenant>>
  try {
    opened = await openTenant(env, { tenants: [event.tenant] }, event.tenant, options)
  } catch (error) {
    if (parseDirectoryError(error)?.code === 'tenantNotFound') return null
    throw error
  }
  const { type, id } = event.resource
  return type === 'User' ? getUser(opened.reader, id) : getGroup(opened.reader, id)
}
