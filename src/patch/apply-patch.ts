import type { PatchPath } from '../filter/ast'
import { parsePatchPath } from '../filter/parser'
import { ScimError } from '../http/scim-error'
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/attribute'
import { coerceValue, isEqualValue, isObject, resourceSchemas } from '../schema/coerce'
import type { SchemaRegistry } from '../schema/registry'
import { type MembershipChange, membershipChanges } from './membership'
import { appendDistinct, changed, isEmptyValue, removeListed, updateElements } from './multi-valued'
import { type PatchOperation, type PatchOpName, parseOperations } from './operations'

/** What the PATCH engine needs to know about the resource, RFC 7644 §3.5.2. */
export interface PatchContext {
  readonly registry: SchemaRegistry
  readonly resourceType: ResourceTypeDefinition
  /** Group members are stored apart: operations on `members` become `membership` changes. */
  readonly externalMembers?: boolean
}

/** The outcome of a PATCH, RFC 7644 §3.5.2: the new resource and what changed. */
export interface PatchResult {
  readonly resource: Record<string, unknown>
  /** Top-level attributes whose value changed (extension ones URN-qualified), plus `members` on any membership change. */
  readonly changedAttributes: string[]
  readonly membership: MembershipChange[]
}

/** One resolved target of an operation: an explicit path, or one key of a path-less value. */
interface Target {
  readonly path: PatchPath
  readonly value: unknown
  readonly label: string
}

/**
 * Applies a PatchOp's `Operations` to a copy of `resource`, RFC 7644 §3.5.2, in order and atomically:
 * the first failing operation throws a `ScimError` and the input is never modified.
 */
export function applyPatch(
  resource: Record<string, unknown>,
  operations: unknown,
  ctx: PatchContext,
): PatchResult {
  const result = structuredClone(resource)
  const membership: MembershipChange[] = []
  const coreUrn = ctx.registry.schemasOf(ctx.resourceType)[0]?.id
  for (const operation of parseOperations(operations)) {
    for (const target of targetsOf(operation, ctx)) {
      const { schema, attribute } = target.path.path
      if (ctx.externalMembers && schema === coreUrn && attribute.name === 'members') {
        membership.push(...membershipChanges(operation.op, target.path, target.value))
      } else {
        applyTarget(result, operation.op, target, schema === coreUrn ? undefined : schema)
      }
    }
  }
  result.schemas = resourceSchemas(result, ctx.registry, ctx.resourceType)
  const changedAttributes = changedAttributesOf(resource, result, ctx)
  return {
    resource: result,
    changedAttributes: membership.length > 0 ? [...changedAttributes, 'members'] : changedAttributes,
    membership,
  }
}

function targetsOf(operation: PatchOperation, ctx: PatchContext): Target[] {
  const { op, path, value } = operation
  if (path !== undefined) {
    const parsed = parsePatchPath(path, ctx.registry, ctx.resourceType)
    // RFC 7644 §3.5.2 — "A client MUST NOT modify an attribute that has mutability 'readOnly'".
    if (isReadOnly(parsed)) throw ScimError.mutability(`Attribute '${path}' is readOnly`)
    return [{ path: parsed, value, label: path }]
  }
  // RFC 7644 §3.5.2.2 — "If 'path' is unspecified, the operation fails with … 'noTarget'".
  if (op === 'remove') throw ScimError.noTarget('A remove operation needs a path')
  // RFC 7644 §3.5.2.1/§3.5.2.3 — without a path, the value is a set of attributes of the resource.
  if (!isObject(value))
    throw ScimError.invalidValue(`A path-less ${op} needs an object of attributes as its value`)
  const extensions = ctx.registry.schemasOf(ctx.resourceType).slice(1)
  return Object.entries(value).flatMap(([key, raw]) => {
    const extension = extensions.find((e) => e.id.toLowerCase() === key.toLowerCase())
    if (!extension) return keyTarget(key, raw, ctx)
    return isObject(raw)
      ? Object.entries(raw).flatMap(([k, v]) => keyTarget(`${extension.id}:${k}`, v, ctx))
      : []
  })
}

/**
 * A key of a path-less value is a path (Entra's `name.givenName`, `urn:…:User:employeeNumber`).
 * Unknown keys and readOnly attributes are ignored: Okta sends `{"id":…,"displayName":…}` to rename a
 * group, and RFC 7644 §3.5.2 lets the server ignore what it does not support.
 */
function keyTarget(key: string, value: unknown, ctx: PatchContext): Target[] {
  const resolved = ctx.registry.resolve(ctx.resourceType, key)
  if (!resolved) return []
  const path: PatchPath = { kind: 'attribute', path: resolved }
  return isReadOnly(path) ? [] : [{ path, value, label: key }]
}

const subAttributeOf = (path: PatchPath) =>
  path.kind === 'valuePath' ? path.subAttribute : path.path.subAttribute

const isReadOnly = (path: PatchPath) =>
  path.path.attribute.mutability === 'readOnly' || subAttributeOf(path)?.mutability === 'readOnly'

/** Applies one target to the top-level attribute it is in, checking the attribute-level rules. */
function applyTarget(resource: Record<string, unknown>, op: PatchOpName, target: Target, extension?: string) {
  const { attribute } = target.path.path
  const container =
    extension === undefined ? resource : { ...(isObject(resource[extension]) ? resource[extension] : {}) }
  const before = container[attribute.name]
  const after = nextValue(op, target, structuredClone(before))
  if (isEqualValue(before, after)) return
  // RFC 7644 §3.5.2 — "a client MAY 'add' a value to an 'immutable' attribute if the attribute had no
  // previous value"; any other change of it is `mutability`.
  if (attribute.mutability === 'immutable' && before !== undefined) {
    throw ScimError.mutability(`Attribute '${target.label}' is immutable and already has a value`)
  }
  // RFC 7644 §3.5.2.2 — "If an attribute is removed or becomes unassigned and is defined as a required
  // attribute or a read-only attribute, the server SHALL return … 'mutability'" (also for replace with "").
  if (attribute.required && after === undefined) {
    throw ScimError.mutability(`Attribute '${attribute.name}' is required and cannot be removed`)
  }
  if (after === undefined) delete container[attribute.name]
  else container[attribute.name] = after
  if (extension === undefined) return
  if (Object.keys(container).length > 0) resource[extension] = container
  else delete resource[extension]
}

/** The new value of the top-level attribute `target` is in, RFC 7644 §3.5.2.1–3.5.2.3. */
function nextValue(op: PatchOpName, target: Target, current: unknown): unknown {
  const { path, value, label } = target
  const { attribute } = path.path
  if (path.kind === 'valuePath') {
    return updateElements(
      op,
      attribute,
      current,
      { filter: path.filter, sub: path.subAttribute },
      value,
      label,
    )
  }
  const sub = path.path.subAttribute
  if (sub && attribute.multiValued) return updateElements(op, attribute, current, { sub }, value, label)
  if (sub) return nextSubValue(op, attribute, sub, current, value, label)
  if (op === 'remove') {
    // RFC 7644 §3.5.2.2 — without a value the whole attribute goes; a value lists the elements to remove.
    return attribute.multiValued && !isEmptyValue(value)
      ? removeListed(attribute, current, value, label)
      : undefined
  }
  // Adding "nothing" to a list leaves it as it is; everything else given "" or null is cleared.
  if (isEmptyValue(value)) return attribute.multiValued && op === 'add' ? current : undefined
  const coerced = coerceValue(attribute, value, label)
  if (attribute.multiValued) return op === 'add' ? appendDistinct(attribute, current, coerced) : coerced
  // RFC 7644 §3.5.2.1/§3.5.2.3 — a complex value's sub-attributes replace or add to the existing ones;
  // those not given are left unchanged.
  if (attribute.type === 'complex' && isObject(current) && isObject(coerced)) {
    return changed(attribute, current, { ...current, ...coerced })
  }
  return coerced
}

/** `name.givenName`, `manager.value`: one sub-attribute of a single-valued complex attribute. */
function nextSubValue(
  op: PatchOpName,
  attribute: AttributeDefinition,
  sub: AttributeDefinition,
  current: unknown,
  value: unknown,
  label: string,
): unknown {
  const { [sub.name]: _previous, ...rest } = isObject(current) ? current : {}
  const given = op === 'remove' || isEmptyValue(value) ? undefined : coerceValue(sub, value, label)
  const next = changed(attribute, current, given === undefined ? rest : { ...rest, [sub.name]: given })
  return Object.keys(next).length > 0 ? next : undefined
}

function changedAttributesOf(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  ctx: PatchContext,
) {
  const [core, ...extensions] = ctx.registry.schemasOf(ctx.resourceType)
  const pick = (resource: Record<string, unknown>, urn: string | undefined) =>
    urn === undefined ? resource : isObject(resource[urn]) ? (resource[urn] as Record<string, unknown>) : {}
  return [core, ...extensions].flatMap((schema) => {
    if (!schema) return []
    const urn = schema === core ? undefined : schema.id
    return schema.attributes
      .filter((a) => !isEqualValue(pick(before, urn)[a.name], pick(after, urn)[a.name]))
      .map((a) => (urn === undefined ? a.name : `${urn}:${a.name}`))
  })
}
