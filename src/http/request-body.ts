import type { Context } from 'hono'
import { ScimError } from './scim-error'

/** RFC 7644 §3.1 — `application/scim+json`, and plain `application/json` as Okta's spec test sends. */
const ACCEPTED_MEDIA_TYPES = new Set(['application/scim+json', 'application/json'])

/**
 * The deepest nesting accepted in a request body. A BulkRequest carrying a PATCH of group members is
 * about eight levels deep; the handlers walk bodies recursively, so a body of thousands of levels
 * would overflow the stack (a 500) instead of getting a 400.
 */
export const MAX_JSON_DEPTH = 64

/** Whether `value` nests objects or arrays deeper than `limit` (walked without recursion). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next
    if (typeof node !== 'object' || node === null) continue
    if (depth > limit) return true
    for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return false
}

/**
 * Reads a JSON request body: 415 for another media type, 400 `invalidSyntax` for malformed JSON, a
 * body that is not a JSON object, or one nested deeper than MAX_JSON_DEPTH. (Hono's JSON validator
 * would silently accept `{}` for other media types and answers malformed JSON in plain text, so it
 * is not used here.)
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
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw ScimError.invalidSyntax(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`)
  }
  return body as Record<string, unknown>
}
