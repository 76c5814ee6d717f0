import { isWriteConflict } from '../db/write-errors'
import type { AcceptedVersions } from '../http/etag'
import { ScimError } from '../http/scim-error'

/** Attempts before a write that keeps losing races gives up with a retryable 503. */
const MAX_ATTEMPTS = 40

/**
 * Runs a read-modify-write `attempt` until its batch commits. A lost race (the write guard fired)
 * is retried from a fresh read, so concurrent writes lose no update; with `If-Match` the client
 * asked for that exact version, so the loss is a 412 instead.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, ifMatch: AcceptedVersions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      if (!isWriteConflict(error)) throw error
      if (ifMatch !== undefined) throw ScimError.preconditionFailed()
      if (n >= MAX_ATTEMPTS) {
        throw new ScimError(503, 'Too many concurrent changes to this resource; retry', undefined, {
          'Retry-After': '1',
        })
      }
      // Jitter spreads the retries of concurrent writers so they do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(n, 10)))
    }
  }
}
