import { ScimError } from '../http/scim-error'

/**
 * D1's transient errors: the ones its error list (developers.cloudflare.com/d1/observability/debug-d1/)
 * answers with "retry the operation" or "spread the load over time" — the database was momentarily
 * unreachable, restarting or overloaded. D1 throws plain `Error`s (`D1_ERROR: <text>`), so they are
 * told apart by their text. A reset for exceeding memory or CPU is left out: the same query would
 * exceed it again, so it stays a logged 500.
 */
const TRANSIENT_TEXTS = [
  'Network connection lost',
  // "Internal error [while starting up] in D1 DB storage caused object to be reset",
  // "D1 DB storage operation exceeded timeout which caused object to be reset"
  'caused object to be reset',
  'reset because its code was updated',
  // "Cannot resolve D1 DB due to transient issue on remote node"
  'due to transient issue',
  // "… Requests queued for too long", "… Too many requests queued"
  'D1 DB is overloaded',
  "Can't read from request stream because client disconnected",
]

/** Seconds a client is asked to wait after a transient database error. */
export const TRANSIENT_RETRY_AFTER_SECONDS = 5

/** The transient D1 text an error carries, in its message or its cause chain (Drizzle wraps D1's errors). */
export function transientReason(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const found = TRANSIENT_TEXTS.find((text) => e instanceof Error && e.message.includes(text))
    if (found) return found
  }
  return undefined
}

export const isTransientD1Error = (error: unknown) => transientReason(error) !== undefined

/**
 * The answer to a transient database error: 503 with `Retry-After` (RFC 7644 §3.12 lets any HTTP
 * status carry a SCIM error). For a write the outcome is unknown — the batch may have committed
 * before the connection dropped — and the detail says so; see `withReadRetry` for why that is safe
 * for the client to retry.
 */
export const databaseUnavailable = () =>
  new ScimError(
    503,
    'The database is temporarily unavailable; retry later. A change sent with this request may or may not have been applied.',
    undefined,
    { 'Retry-After': String(TRANSIENT_RETRY_AFTER_SECONDS) },
  )

/**
 * Runs an idempotent read, retrying it once after a transient error (a short jittered pause
 * first); a second failure propagates and is answered 503 by the error handler.
 *
 * Only reads are retried in the Worker. A write batch whose call failed with a transient error has
 * an unknown outcome: D1 may have committed it and lost only the answer ("Network connection
 * lost"). Running it again could apply it twice — a membership-only change bumps the version and
 * writes its events again — and the callers' conflict retry would re-apply a PATCH on top of its
 * own committed result. So a write is answered 503 and the client decides, which is safe with the
 * requests identity providers retry: a repeated POST meets the unique `userName` / group
 * `displayName` index (409, never a duplicate), PUT is idempotent, a repeated DELETE gets 404, and
 * the PATCH operations Okta and Entra ID send (replace, add or remove of members and attributes)
 * give the same state when applied again.
 */
export async function withReadRetry<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (!isTransientD1Error(error)) throw error
  }
  await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40))
  return read()
}
