import { ScimError } from '../http/scim-error'
import { isObject } from '../schema/coerce'

/** The three PATCH operations of RFC 7644 §3.5.2. */
export type PatchOpName = 'add' | 'remove' | 'replace'

/** One validated entry of a PatchOp `Operations` array, RFC 7644 §3.5.2. */
export interface PatchOperation {
  readonly op: PatchOpName
  readonly path: string | undefined
  /** `undefined` when the operation has no `value` member (only allowed for `remove`). */
  readonly value: unknown
}

const OPS: readonly PatchOpName[] = ['add', 'remove', 'replace']

/**
 * Validates the shape of a PatchOp `Operations` array, RFC 7644 §3.5.2: a non-empty array of objects
 * with an `op` in any letter case (Entra sends `Add`/`Replace`/`Remove`), an optional string `path`
 * and a `value` for add and replace. Unknown members (Entra's `"name":"addMember"`) are ignored.
 * Malformed input is `invalidSyntax` (RFC 7644 §3.12).
 */
export function parseOperations(raw: unknown): PatchOperation[] {
  // RFC 7644 §3.5.2 — the body "MUST contain … 'Operations' … with one or more PATCH operations".
  if (!Array.isArray(raw) || raw.length === 0) {
    throw ScimError.invalidSyntax("'Operations' must be an array of one or more PATCH operations")
  }
  return raw.map((entry, i) => {
    if (!isObject(entry)) throw ScimError.invalidSyntax(`Operations[${i}] must be an object`)
    const op =
      typeof entry.op === 'string' ? OPS.find((o) => o === (entry.op as string).toLowerCase()) : undefined
    if (!op) {
      throw ScimError.invalidSyntax(
        `Operations[${i}].op must be "add", "remove" or "replace", got ${String(JSON.stringify(entry.op)).slice(0, 60)}`,
      )
    }
    // A JSON null path is read as "no path", as some clients serialise an unset field.
    const path = entry.path ?? undefined
    if (path !== undefined && typeof path !== 'string') {
      throw ScimError.invalidSyntax(`Operations[${i}].path must be a string`)
    }
    // RFC 7644 §3.5.2.1 and §3.5.2.3 — add and replace "MUST contain a 'value' member".
    if (op !== 'remove' && !Object.hasOwn(entry, 'value')) {
      throw ScimError.invalidSyntax(`Operations[${i}] (${op}) has no 'value'`)
    }
    return { op, path, value: entry.value }
  })
}
