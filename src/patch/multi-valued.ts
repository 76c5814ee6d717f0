import type { FilterNode } from '../filter/ast'
import { matchesFilter } from '../filter/evaluate'
import { ScimError } from '../http/scim-error'
import type { AttributeDefinition } from '../schema/attribute'
import { coerceElement, coerceValue, findAttribute, isEqualValue, isObject } from '../schema/coerce'
import type { PatchOpName } from './operations'

/** Whether a PATCH value means "clear the target": Entra's validator sends `""` and `null` to unset. */
export const isEmptyValue = (value: unknown) => value === undefined || value === null || value === ''

const asList = (current: unknown): unknown[] => (Array.isArray(current) ? current : [])
const orUnassigned = (list: unknown[]) => (list.length > 0 ? list : undefined)

/**
 * A text that two JSON values share exactly when `isEqualValue` holds (object keys sorted), so
 * that elements are compared through a Set in linear time, not each against the whole list.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}

/**
 * Appends the coerced `items` that are not already present, RFC 7644 §3.5.2.1 ("If the target location
 * already contains the value specified, no changes SHOULD be made"). Elements whose `value` is immutable
 * (group `members`, RFC 7643 §8.7.1) are the same when their `value` is; others when deeply equal.
 */
export function appendDistinct(
  attribute: AttributeDefinition,
  current: unknown,
  items: unknown,
): unknown[] | undefined {
  const byValue = findAttribute(attribute.subAttributes, 'value')?.mutability === 'immutable'
  const identity = (e: unknown) => (byValue && isObject(e) ? `value:${canonical(e.value)}` : canonical(e))
  const list = [...asList(current)]
  const present = new Set(list.map(identity))
  const written = new Set<unknown>()
  for (const item of asList(items)) {
    const key = identity(item)
    if (present.has(key)) continue
    present.add(key)
    list.push(item)
    written.add(item)
  }
  return orUnassigned(settlePrimary(list, written, attribute.name))
}

/**
 * Removes the elements listed in a remove operation's `value` (Entra's default member removal,
 * `{"op":"Remove","path":"members","value":[{"value":"u1"}]}`): an element goes when it has every
 * sub-attribute a listed item gives, with equal values. Items are indexed by the names they give
 * (a few shapes), so each element is looked up once per shape.
 */
export function removeListed(
  attribute: AttributeDefinition,
  current: unknown,
  value: unknown,
  label: string,
) {
  const shapes = new Map<string, { names: string[]; values: Set<string> }>()
  const simple = new Set<string>()
  for (const item of asList(coerceValue(attribute, value, label))) {
    if (!isObject(item)) {
      simple.add(canonical(item))
      continue
    }
    const names = Object.keys(item).sort()
    const shape = shapes.get(names.join(',')) ?? { names, values: new Set<string>() }
    shape.values.add(canonical(names.map((k) => item[k])))
    shapes.set(names.join(','), shape)
  }
  const listed = (e: unknown) =>
    isObject(e)
      ? [...shapes.values()].some(({ names, values }) => values.has(canonical(names.map((k) => e[k]))))
      : simple.has(canonical(e))
  return orUnassigned(asList(current).filter((e) => !listed(e)))
}

/**
 * Applies an operation to the elements a value filter selects (all elements when `filter` is
 * undefined, for `emails.type`), or to their `sub`-attribute, RFC 7644 §3.5.2.
 */
export function updateElements(
  op: PatchOpName,
  attribute: AttributeDefinition,
  current: unknown,
  target: { readonly filter?: FilterNode; readonly sub?: AttributeDefinition },
  value: unknown,
  label: string,
): unknown[] | undefined {
  const { filter, sub } = target
  const list = asList(current)
  const matches = (e: unknown) => filter === undefined || matchesFilter(e, filter)
  // RFC 7644 §3.5.2.2 — remove takes the matching elements, or their sub-attribute; no match is a no-op.
  // Entra clears with add/replace of "" or null, which does the same.
  if (op === 'remove' || isEmptyValue(value)) {
    if (!sub) return orUnassigned(list.filter((e) => !matches(e)))
    return orUnassigned(
      list.map((e) => (matches(e) ? changed(attribute, e, without(e, sub.name)) : e)).filter(hasData),
    )
  }
  const patch = sub ? { [sub.name]: coerceValue(sub, value, label) } : coerceElement(attribute, value, label)
  if (patch === undefined) return orUnassigned(list)
  const written = new Set<unknown>()
  const merge = (e: unknown) => {
    const next = isObject(e) && isObject(patch) ? changed(attribute, e, { ...e, ...patch }) : patch
    written.add(next)
    return next
  }
  // RFC 7644 §3.5.2.3 says matching records "SHALL be replaced"; we merge into them instead, as it
  // does for a complex attribute ("Sub-attributes that are not specified … are left unchanged"), so a
  // value naming some sub-attributes does not drop the others. Add does the same.
  const next = list.some(matches)
    ? list.map((e) => (matches(e) ? merge(e) : e))
    : [...list, merge(createElement(attribute, filter, label))]
  return orUnassigned(settlePrimary(next, written, attribute.name))
}

/**
 * The element to create when no element matches, built from the filter's `eq` comparisons
 * (`emails[type eq "work"].value` → `{ type: "work" }`, then the value is merged in). RFC 7644
 * §3.5.2.3 answers `noTarget` here, but Entra relies on the element being created for users without an
 * email or phone yet; a filter that does not say what to create is still `noTarget`.
 */
function createElement(
  attribute: AttributeDefinition,
  filter: FilterNode | undefined,
  label: string,
): unknown {
  if (attribute.type !== 'complex') return undefined
  const seed = filter === undefined ? {} : equalities(filter)
  if (seed === undefined) {
    throw ScimError.noTarget(
      `No element of '${attribute.name}' matches '${label}', and its filter does not say what to create`,
    )
  }
  return coerceElement(attribute, seed, label) ?? {}
}

function equalities(filter: FilterNode): Record<string, unknown> | undefined {
  if (filter.kind === 'and') {
    const [left, right] = [equalities(filter.left), equalities(filter.right)]
    return left && right ? { ...left, ...right } : undefined
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.subAttribute) {
    return { [filter.path.subAttribute.name]: filter.value }
  }
  return undefined
}

/** Rejects a change of an immutable sub-attribute that has a value (`members[…].value`), RFC 7644 §3.5.2. */
export function changed(attribute: AttributeDefinition, before: unknown, after: Record<string, unknown>) {
  if (!isObject(before)) return after
  for (const sub of attribute.subAttributes ?? []) {
    if (
      sub.mutability === 'immutable' &&
      before[sub.name] !== undefined &&
      !isEqualValue(before[sub.name], after[sub.name])
    ) {
      throw ScimError.mutability(
        `Sub-attribute '${attribute.name}.${sub.name}' is immutable and already has a value`,
      )
    }
  }
  return after
}

const without = (e: unknown, key: string) => {
  if (!isObject(e)) return {}
  const { [key]: _removed, ...rest } = e
  return rest
}

// An element left with only its qualifiers (`{ type: "mobile" }` after Entra clears
// `phoneNumbers[type eq "mobile"].value`) holds no data, RFC 7643 §2.4, and is dropped.
const hasData = (e: unknown) => !isObject(e) || Object.keys(e).some((k) => k !== 'type' && k !== 'primary')

/**
 * RFC 7643 §2.4 — "The primary attribute value 'true' MUST appear no more than once": an element just
 * written with primary true takes it from the others; two written at once are `invalidValue`.
 */
function settlePrimary(list: unknown[], written: ReadonlySet<unknown>, name: string): unknown[] {
  const winners = [...written].filter((e) => isObject(e) && e.primary === true)
  if (winners.length > 1) throw ScimError.invalidValue(`More than one element of '${name}' would be primary`)
  if (winners.length === 0) return list
  return list.map((e) =>
    isObject(e) && e.primary === true && e !== winners[0] ? { ...e, primary: false } : e,
  )
}
