import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { ActivityRecorder } from './recorder'

/** One per isolate: requests of every tenant this isolate serves are aggregated here. */
const recorder = new ActivityRecorder()

const RESOURCE_ID = /^\/scim\/v2\/(?:Users|Groups)\/([^/]+)\/?$/

/**
 * Notes a finished SCIM request of a known tenant (authenticated, or refused with 401 on an existing
 * tenant's host) in this isolate's activity. No D1 here: a flush is a Queue message, sent in
 * waitUntil at most once per tenant every 10 s (src/activity/recorder.ts).
 */
export function recordScimActivity(c: Context<AppEnv>, endpoint: string): void {
  const tenant = c.get('tenant')
  const name = tenant?.name ?? c.get('tenantName')
  const queue = c.env.SCIM_ACTIVITY
  const ctx = executionContext(c)
  if (!name || !queue || !ctx || !c.req.path.startsWith('/scim/v2')) return
  const id = RESOURCE_ID.exec(c.req.path)?.[1]
  recorder.record(
    {
      tenant: name,
      at: Date.now(),
      status: c.res.status,
      method: c.req.method,
      endpoint,
      client: c.req.header('user-agent') ?? '',
      scimType: c.get('scimType'),
      detail: c.get('scimDetail'),
      resourceId: id && id !== '.search' ? decodedOrRaw(id).slice(0, 100) : undefined,
      requestId: c.get('requestId'),
      tokenId: tenant?.tokenId,
    },
    {
      send: (batch) => queue.send(batch, { contentType: 'json' }),
      waitUntil: (promise) => ctx.waitUntil(promise.catch(reportFlushFailure)),
    },
  )
}

/** A path segment decoded, or as sent when it is not valid percent-encoding (`%zz` reaches here too). */
function decodedOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Hono throws when the runtime gave no context (a bare app.request): then nothing is recorded. */
function executionContext(c: Context<AppEnv>): Pick<ExecutionContext, 'waitUntil'> | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined
  }
}

/** A lost flush loses counts, never a SCIM answer: logged, not thrown. */
function reportFlushFailure(error: unknown) {
  console.warn(JSON.stringify({ level: 'warn', message: 'activity flush failed', error: String(error) }))
}
