import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * RFC 7644 §8.1 — every response body is `application/scim+json`, bare: IANA's registration defines
 * no parameters (JSON is UTF-8 by RFC 8259 §8.1), and some validators compare the header exactly.
 */
export const SCIM_CONTENT_TYPE = 'application/scim+json'

/** Answers `body` as `application/scim+json`. */
export function scimJson(
  c: Context,
  body: unknown,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
) {
  return c.body(JSON.stringify(body), status, { ...headers, 'Content-Type': SCIM_CONTENT_TYPE })
}
