import type { Context } from 'hono'
import { ScimError } from './scim-error'

/** RFC 7644 §3.1 — `application/scim+json`, and plain `application/json` as Okta's spec test sends. */
const ACCEPTED_MEDIA_TYPES = new Set(['application/scim+json', 'application/json'])

/**
 * Reads a JSON request body: 415 for another media type, 400 `invalidSyntax` for malformed JSON or a
 * body that is not a JSON object. (Hono's JSON validator would silently accept `{}` for other media
 * types and answers malformed JSON in plain text, so it is not used here.)
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!ACCEPTED_MEDIA_TYPES.has(mediaType)) {
    throw new ScimError(415, 'Content-Type must be application/scim+json or application/json')
  }
  const text = await c.req.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw ScimError.invalidSyntax('The request body is not valid JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw ScimError.invalidSyntax('The request body must be a JSON object')
  }
  return body as Record<string, unknown>
}
