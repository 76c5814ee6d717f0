import { ScimError } from '../http/scim-error'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Refuses, with 400 `invalidValue` naming MAX_MULTI_VALUED_ELEMENTS, a list longer than `cap`:
 * `value` itself when it is one, else any list among its attributes, those of its extensions and
 * of a path-less PATCH value. It runs before any element is coerced or compared (issue #12 §2),
 * so the work on a list never exceeds the bound; its own cost is linear in the body.
 */
export function checkListLengths(value: unknown, cap: number, name: string): void {
  if (Array.isArray(value)) {
    if (value.length > cap) {
      throw ScimError.invalidValue(
        `'${name}' has ${value.length} elements, more than MAX_MULTI_VALUED_ELEMENTS (${cap})`,
      )
    }
    return
  }
  if (!isObject(value)) return
  for (const [key, inner] of Object.entries(value)) checkListLengths(inner, cap, key)
}
