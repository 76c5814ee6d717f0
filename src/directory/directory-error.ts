/**
 * Errors Directory throws. Workers RPC carries an error's message and standard type, never its own
 * properties, so the code travels in the message: `<code>: <detail>`, and a `positionExpired`
 * ends with `(oldestPosition <position>)`. `parseDirectoryError` reads them back.
 */
import { FeedError } from '../events/feed'
import { ScimError, type ScimType } from '../http/scim-error'

export type DirectoryErrorCode =
  /** Not in this binding's props, absent or suspended: the three are indistinguishable. */
  | 'tenantNotFound'
  /** A filter, sort, count or cursor the SCIM API would answer 400 to, with its `scimType`. */
  | ScimType
  /** An argument of the wrong type or shape (ids, options, bookmark). */
  | 'invalidArgument'
  | 'invalidFeedQuery'
  /** The feed position is older than the retention; resume from `oldestPosition`. */
  | 'positionExpired'
  /** A lookup by externalId matched several users. */
  | 'ambiguous'
  /** The tenant store (KV) did not answer; retry. */
  | 'unavailable'

export function directoryError(code: DirectoryErrorCode, detail: string): Error {
  return new Error(`${code}: ${detail}`)
}

/** A string argument (an id, a userName); anything else is the caller's mistake, not an absent resource. */
export function stringArgument(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw directoryError('invalidArgument', `${name} must be a non-empty string`)
  }
  return value
}

/** The one answer for a tenant this binding may not read, whatever the reason. */
export const tenantNotFound = (tenant: string) =>
  directoryError('tenantNotFound', `No tenant ${JSON.stringify(tenant)} is readable through this binding`)

/** Directory's form of the errors the shared SCIM and feed modules throw; others pass unchanged. */
export function toDirectoryError(error: unknown): unknown {
  if (error instanceof FeedError) {
    const oldest = error.oldestPosition === undefined ? '' : ` (oldestPosition ${error.oldestPosition})`
    return directoryError(error.code, `${error.message}${oldest}`)
  }
  if (error instanceof ScimError) {
    if (error.status === 503) return directoryError('unavailable', error.message)
    if (error.scimType) return directoryError(error.scimType, error.message)
  }
  return error
}

export interface ParsedDirectoryError {
  readonly code: string
  readonly detail: string
  readonly oldestPosition?: string
}

/** The code, detail and (for `positionExpired`) resume position of an error Directory threw. */
export function parseDirectoryError(error: unknown): ParsedDirectoryError | undefined {
  const message = error instanceof Error ? error.message : undefined
  const match = message === undefined ? null : /^([A-Za-z]+): ([\s\S]*)$/.exec(message)
  if (!match?.[1] || match[2] === undefined) return undefined
  const oldest = /\(oldestPosition (\d+)\)$/.exec(match[2])?.[1]
  return { code: match[1], detail: match[2], ...(oldest ? { oldestPosition: oldest } : {}) }
}
