import type { FilterNode, PatchPath } from '../filter/ast'
import { ScimError } from '../http/scim-error'
import { isObject } from '../schema/coerce'
import type { PatchOpName } from './operations'

/** A member reference of a Group, RFC 7643 §4.2: the member's `id` and, optionally, its resource type. */
export interface MemberRef {
  readonly value: string
  readonly type?: 'User' | 'Group'
}

/**
 * One step of a group membership change, in request order, RFC 7644 §3.5.2. Produced instead of a
 * `members` value when members live outside the resource (`externalMembers`), so the caller can
 * write only the delta.
 */
export type MembershipChange =
  | { readonly kind: 'add'; readonly members: readonly MemberRef[] }
  | { readonly kind: 'remove'; readonly values: readonly string[] }
  | { readonly kind: 'removeWhere'; readonly filter: FilterNode }
  | { readonly kind: 'removeAll' }

const MEMBER_TYPES = ['User', 'Group'] as const

/**
 * Turns one operation on `members` into membership changes, RFC 7644 §3.5.2.1–3.5.2.3:
 * add appends, replace is remove-all then add, remove takes all members, a value list (Entra's
 * default remove) or a filter. Members are added or removed, never edited: their `value`, `$ref`
 * and `type` are immutable (RFC 7643 §8.7.1), so a sub-attribute path or a filtered add/replace is
 * `mutability`.
 */
export function membershipChanges(op: PatchOpName, path: PatchPath, value: unknown): MembershipChange[] {
  const sub = path.kind === 'valuePath' ? path.subAttribute : path.path.subAttribute
  if (sub || (path.kind === 'valuePath' && op !== 'remove')) {
    throw ScimError.mutability('Group members can be added or removed, not modified')
  }
  const empty = value === undefined || value === null || value === ''
  if (path.kind === 'valuePath') return [removeMatching(path.filter)]
  switch (op) {
    case 'add':
      return empty ? [] : added(value)
    case 'replace':
      return [{ kind: 'removeAll' }, ...(empty ? [] : added(value))]
    case 'remove': {
      // RFC 7644 §3.5.2.2 — remove without a value removes all members; Entra's default sends the
      // members to remove as a value list, which removes exactly those (Entra "Remove members").
      if (empty) return [{ kind: 'removeAll' }]
      const values = parseMembers(value).map((m) => m.value)
      return values.length > 0 ? [{ kind: 'remove', values }] : []
    }
  }
}

function added(value: unknown): MembershipChange[] {
  const members = parseMembers(value)
  return members.length > 0 ? [{ kind: 'add', members }] : []
}

// `members[value eq "x"]` (Okta, Entra with aadOptscim062020) is a plain removal by id.
function removeMatching(filter: FilterNode): MembershipChange {
  const byValue =
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.subAttribute?.name === 'value' &&
    typeof filter.value === 'string'
  return byValue ? { kind: 'remove', values: [filter.value as string] } : { kind: 'removeWhere', filter }
}

/**
 * Reads a member list (or a lone member object). `value` must be a non-empty string; `type` is
 * optional (any letter case); `display` and `$ref` are ignored, including Entra's `"$ref": null`.
 * A bare string is read as a member id, as Microsoft's reference collection sends it
 * (`"value": "<id>"`); like any other id, one that names nothing in the tenant is skipped.
 */
function parseMembers(value: unknown): MemberRef[] {
  return (Array.isArray(value) ? value : [value]).map((item, i) => {
    const id = typeof item === 'string' ? item : field(item, 'value')
    if (typeof id !== 'string' || id === '') {
      throw ScimError.invalidValue(
        `members[${i}] must be a member id or an object with a non-empty string 'value'`,
      )
    }
    const given = field(item, 'type')
    if (given === undefined || given === null) return { value: id }
    const type = MEMBER_TYPES.find(
      (t) => typeof given === 'string' && t.toLowerCase() === given.toLowerCase(),
    )
    if (!type) throw ScimError.invalidValue(`members[${i}].type must be "User" or "Group"`)
    return { value: id, type }
  })
}

// RFC 7643 §2.1 — attribute names are case-insensitive.
const field = (item: unknown, name: string) => {
  if (!isObject(item)) return undefined
  const key = Object.keys(item).find((k) => k.toLowerCase() === name)
  return key === undefined ? undefined : item[key]
}
