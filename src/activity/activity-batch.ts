/**
 * What one isolate sends about one tenant's SCIM requests at most every FLUSH_INTERVAL_MS: counts
 * per client, method, endpoint pattern and status, the failures itemized up to a rate, and when each
 * token was last used. Only the request's shape and outcome, never a token or an attribute value.
 */
export interface UsageCount {
  client: string
  method: string
  endpoint: string
  status: number
  count: number
  firstAt: string
  lastAt: string
}

export interface FailureRecord {
  at: string
  status: number
  scimType?: string | undefined
  detail?: string | undefined
  method: string
  endpoint: string
  resourceId?: string | undefined
  client: string
  requestId?: string | undefined
  tokenId?: string | undefined
}

export interface ActivityBatch {
  tenant: string
  usage: UsageCount[]
  failures: FailureRecord[]
  /** Failures counted in `usage` but not itemized: past MAX_ITEMIZED_FAILURES in one interval. */
  unitemized: number
  tokens: { tokenId: string; lastAt: string; client: string }[]
  last: { at: string; client: string; status: number }
}

/** One flush per tenant and isolate at most this often. */
export const FLUSH_INTERVAL_MS = 10_000
/** Failures itemized per tenant, isolate and interval; the rest are only counted. */
export const MAX_ITEMIZED_FAILURES = 20
/** Distinct client/endpoint/status keys per tenant and interval; more are counted as OTHER_CLIENTS. */
export const MAX_USAGE_KEYS = 50
export const OTHER_CLIENTS = '(other clients)'
/** Longest User-Agent and error detail kept. */
export const MAX_CLIENT_LENGTH = 120
export const MAX_DETAIL_LENGTH = 300
