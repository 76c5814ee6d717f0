import { ScimError } from '../http/scim-error'
import type { Limits } from '../limits'
import { claimedAttributes } from './unique-values'

/** Every message in an error's cause chain (Drizzle wraps D1's errors). */
function messages(error: unknown): string {
  const parts: string[] = []
  for (let e = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message)
  return parts.join(' | ')
}

// The columns a write guard sets NULL (src/db/resource-store.ts): the `write_guard` insert, or the
// change event or count that guards its batch. Nothing else ever writes NULL into them.
const GUARD_FAILURES = ['write_guard.conflict', 'scim_events.id', 'resource_counts.count'].map(
  (column) => `NOT NULL constraint failed: ${column}`,
)

/** A write batch aborted by its write guard: the resource's version moved (or it was deleted). */
export function isWriteConflict(error: unknown): boolean {
  const text = messages(error)
  return GUARD_FAILURES.some((failure) => text.includes(failure))
}

const UNIQUE_ATTRIBUTE: Record<string, string> = {
  'users.user_name_folded': 'userName',
  'groups.display_name_folded': 'displayName',
}

/**
 * Turns a unique-index violation into RFC 7644 §3.3's 409 `uniqueness` naming the attribute; other
 * errors are returned as they are. A tenant-declared attribute is named from the failed batch's
 * `statements`, since SQLite names only the columns of the `unique_values` index.
 */
export function uniquenessError(error: unknown, statements: readonly object[] = []): unknown {
  const match = /UNIQUE constraint failed: ([\w.]+), ([\w.]+)/.exec(messages(error))
  if (match?.[1]?.startsWith('unique_values.')) {
    const claimed = claimedAttributes(statements)
    const attribute =
      claimed.length === 1 ? claimed[0] : `One of ${claimed.join(', ') || 'the unique attributes'}`
    return ScimError.uniqueness(`${attribute} is already in use in this tenant`)
  }
  const attribute = match?.[2] && UNIQUE_ATTRIBUTE[match[2]]
  return attribute ? ScimError.uniqueness(`${attribute} is already in use in this tenant`) : error
}

/**
 * Turns D1's "string or blob too big" (a row over its size limit: the resource JSON, its case-folded
 * copy and the indexed columns together) into 413; other errors are returned as they are.
 */
export function storageLimitError(error: unknown): unknown {
  return messages(error).includes('SQLITE_TOOBIG')
    ? new ScimError(413, 'The resource is too large to store: shorten its longest values')
    : error
}

/** Turns a failed nesting guard (src/db/nesting-guard.ts) into 400 `invalidValue` naming the bound. */
export function nestingLimitError(error: unknown, limits: Limits): unknown {
  const failed = /NOT NULL constraint failed: nesting_guard\.(\w+)/.exec(messages(error))?.[1]
  if (failed === 'depth') {
    return ScimError.invalidValue(
      `Nested groups would form a chain of more than ${limits.groupNestingDepth} groups (MAX_GROUP_NESTING_DEPTH)`,
    )
  }
  if (failed === 'nested_groups') {
    return ScimError.invalidValue(
      `A group may hold at most ${limits.nestedGroupsPerGroup} groups (MAX_NESTED_GROUPS_PER_GROUP)`,
    )
  }
  return error
}
