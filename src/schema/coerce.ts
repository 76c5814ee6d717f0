import { parseDateTime } from '../filter/date-time'
import { ScimError } from '../http/scim-error'
import type {
  AttributeDefinition,
  AttributeType,
  ResourceTypeDefinition,
  SchemaDefinition,
} from './attribute'
import type { SchemaRegistry } from './registry'

/**
 * Schema-driven normalisation of request input, the one place that says what a request body may
 * contain (RFC 7643 §2.2–2.4, RFC 7644 §3.3 and §3.5.1). Values are kept exactly as sent, except for
 * the tolerated shapes documented below (string booleans, lone values, the `{ value }` shorthand).
 */

const EXPECTED: Record<AttributeType, string> = {
  string: 'a string',
  boolean: 'a boolean',
  decimal: 'a finite number',
  integer: 'an integer',
  dateTime: 'an RFC 3339 date-time with a time zone, e.g. "2008-01-23T04:56:22Z"',
  binary: 'a base64 string',
  reference: 'a URI string',
  complex: 'an object',
}

// RFC 7643 §2.3.6 — binary values are base64 as in RFC 4648 §4 (standard alphabet, padded).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
// Entra ID sends booleans as "True"/"False" (SCIMReferenceCode#21) in PATCH values and POST bodies.
const STRING_BOOLEAN = /^(?:true|false)$/i

/** Whether a value is a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Finds an attribute by name the way RFC 7643 §2.1 compares names: case-insensitively. */
export const findAttribute = (attributes: readonly AttributeDefinition[] | undefined, name: string) =>
  attributes?.find((a) => a.name.toLowerCase() === name.toLowerCase())

// Long enough to recognise the value, short enough that a huge one does not end up in the error body.
const describe = (value: unknown) =>
  Array.isArray(value) ? 'an array' : `${typeof value} ${JSON.stringify(value).slice(0, 60)}`

const invalid = (attribute: AttributeDefinition, value: unknown, path: string) =>
  ScimError.invalidValue(`Attribute '${path}' must be ${EXPECTED[attribute.type]}, got ${describe(value)}`)

/**
 * Type-checks and coerces one attribute's value (single- or multi-valued), RFC 7643 §2.3–2.4;
 * `null`, an empty list or an empty complex value gives `undefined` ("unassigned", RFC 7643 §2.5).
 * Unknown and readOnly sub-attributes and `$ref` are dropped; errors are `invalidValue` naming `path`.
 */
export function coerceValue(attribute: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined
  if (attribute.multiValued) {
    // RFC 7643 §2.4 — a multi-valued attribute is an array; a lone element is taken as a list of one.
    // Only multi-valued attributes get this: a single-valued attribute given an array is an error.
    const items = (Array.isArray(value) ? value : [value]).flatMap((item, i) => {
      const coerced = coerceElement(attribute, item, `${path}[${i}]`)
      return coerced === undefined ? [] : [coerced]
    })
    // RFC 7643 §2.4 — "The primary attribute value 'true' MUST appear no more than once."
    if (items.filter((item) => isObject(item) && item.primary === true).length > 1) {
      throw ScimError.invalidValue(`Attribute '${path}' has more than one element with primary true`)
    }
    return items.length > 0 ? items : undefined
  }
  return coerceElement(
    attribute,
    attribute.type === 'complex' ? unwrapComplex(attribute, value) : value,
    path,
  )
}

/**
 * Coerces one element of a multi-valued attribute, or the value of a single-valued one, RFC 7643 §2.3.
 * `canonicalValues` are not enforced (RFC 7643 §2.3.1 "SHOULD"; IdPs send other `type` values).
 */
export function coerceElement(attribute: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined
  switch (attribute.type) {
    case 'string':
    case 'reference':
      if (typeof value === 'string') return value
      break
    case 'binary':
      if (typeof value === 'string' && BASE64.test(value)) return value
      break
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (typeof value === 'string' && STRING_BOOLEAN.test(value)) return value.toLowerCase() === 'true'
      break
    case 'integer':
      if (Number.isInteger(value)) return value
      break
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value
      break
    case 'dateTime':
      if (typeof value === 'string' && parseDateTime(value) !== undefined) return value
      break
    case 'complex':
      if (isObject(value)) return coerceAttributes(attribute.subAttributes ?? [], value, `${path}.`)
      break
  }
  throw invalid(attribute, value, path)
}

/**
 * Entra ID sends a single-valued complex reference such as `manager` as a bare id (`"value":"<mid>"`)
 * or as a one-element list (`[{"$ref":…,"value":…}]`). When the attribute has a `value` sub-attribute
 * both shapes can only mean `{ value }`, so they are read that way; an empty string or list is "unset".
 */
function unwrapComplex(attribute: AttributeDefinition, value: unknown): unknown {
  if (!findAttribute(attribute.subAttributes, 'value')) return value
  if (Array.isArray(value) && value.length <= 1) return value.length === 0 ? undefined : value[0]
  if (typeof value === 'string') return value === '' ? undefined : { value }
  return value
}

/**
 * Coerces the members of `input` that `attributes` define (names matched case-insensitively, re-emitted
 * in canonical case); unknown names, readOnly attributes (RFC 7644 §3.3 "SHALL be ignored"), `$ref` and
 * nulls are dropped. Returns `undefined` when nothing is left.
 */
function coerceAttributes(
  attributes: readonly AttributeDefinition[],
  input: Record<string, unknown>,
  prefix: string,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(input)) {
    const attribute = findAttribute(attributes, key)
    // `$ref` is derived from `value` by the response layer (RFC 7643 §2.3.7), so a client's (Entra's
    // `"$ref": null`, or a URL of its own server) is not kept and cannot go stale after a change of `value`.
    if (!attribute || attribute.mutability === 'readOnly' || attribute.name === '$ref') continue
    const value = coerceValue(attribute, raw, `${prefix}${attribute.name}`)
    if (value !== undefined) out[attribute.name] = value
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/**
 * Normalises a POST (`create`) or PUT (`replace`) body, RFC 7644 §3.3 and §3.5.1: keeps what the resource
 * type's schemas define (core at the top level, extensions under their URN), ignores unknown, null and
 * readOnly attributes, enforces required attributes and rebuilds `schemas`. `password` (writeOnly) is
 * kept for the caller, which drops it with `stripUnstored`.
 */
export function normalizeResource(
  body: Record<string, unknown>,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
  mode: 'create' | 'replace',
): Record<string, unknown> {
  const [core, ...extensions] = registry.schemasOf(resourceType)
  if (!core) throw new TypeError(`Resource type ${resourceType.name} has no core schema in the registry`)
  // The client's `schemas` is not trusted: Entra lists non-RFC URIs; we rebuild it below. Enterprise names
  // Entra sends at the root ("department": null) are not core attributes, so they are ignored here:
  // RFC 7644 §3.3 puts extension attributes under the extension URN.
  const out: Record<string, unknown> = { ...coerceAttributes(core.attributes, body, '') }
  for (const extension of extensions) {
    const key = Object.keys(body).find((k) => k.toLowerCase() === extension.id.toLowerCase())
    const raw = key === undefined ? undefined : body[key]
    if (raw === undefined || raw === null) continue
    if (!isObject(raw))
      throw ScimError.invalidValue(`'${extension.id}' must be an object of extension attributes`)
    const values = coerceAttributes(extension.attributes, raw, `${extension.id}:`)
    if (values) out[extension.id] = values
  }
  const nested = Object.keys(body).find((k) => k.toLowerCase() === core.id.toLowerCase())
  checkRequired(out, core, extensions, resourceType, mode, nested)
  return { schemas: resourceSchemas(out, registry, resourceType), ...out }
}

// RFC 7644 §3.12 — a missing required attribute is `invalidValue` ("A required value was missing").
function checkRequired(
  resource: Record<string, unknown>,
  core: SchemaDefinition,
  extensions: readonly SchemaDefinition[],
  resourceType: ResourceTypeDefinition,
  mode: 'create' | 'replace',
  nestedCoreKey: string | undefined,
) {
  const request = mode === 'create' ? 'POST' : 'PUT'
  // Some clients nest core attributes under the core URN, as extensions are (scimverify does).
  const hint = nestedCoreKey
    ? `; core attributes belong at the top level of the body (RFC 7643 §3), the object under '${nestedCoreKey}' is not read`
    : ''
  for (const { schema, required } of resourceType.schemaExtensions) {
    if (required && resource[schema] === undefined) {
      throw ScimError.invalidValue(
        `The extension '${schema}' is required in a ${request} ${resourceType.name}`,
      )
    }
  }
  const present = [core, ...extensions.filter((e) => resource[e.id] !== undefined)]
  for (const schema of present) {
    const container = schema === core ? resource : (resource[schema.id] as Record<string, unknown>)
    for (const attribute of schema.attributes) {
      const value = container[attribute.name]
      // An empty string is not a value for a required attribute (RFC 7643 §4.1: "a non-empty userName").
      if (!attribute.required || attribute.mutability === 'readOnly' || (value !== undefined && value !== ''))
        continue
      const name = schema === core ? attribute.name : `${schema.id}:${attribute.name}`
      throw ScimError.invalidValue(
        `Attribute '${name}' is required in a ${request} ${resourceType.name}${hint}`,
      )
    }
  }
}

/** The `schemas` of a resource, RFC 7643 §3: the core URN plus the URN of each extension that has values. */
export function resourceSchemas(
  resource: Record<string, unknown>,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): string[] {
  const [core, ...extensions] = registry.schemasOf(resourceType)
  return [...(core ? [core.id] : []), ...extensions.filter((e) => isObject(resource[e.id])).map((e) => e.id)]
}

/** A copy without writeOnly attributes (`password`), which we accept but never store, RFC 7643 §2.2. */
export function stripUnstored(
  resource: Record<string, unknown>,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): Record<string, unknown> {
  const [core, ...extensions] = registry.schemasOf(resourceType)
  const without = (container: Record<string, unknown>, schema: SchemaDefinition | undefined) =>
    Object.fromEntries(
      Object.entries(container).filter(
        ([key]) => findAttribute(schema?.attributes, key)?.mutability !== 'writeOnly',
      ),
    )
  const out = without(resource, core)
  for (const extension of extensions) {
    const values = out[extension.id]
    if (isObject(values)) out[extension.id] = without(values, extension)
  }
  return out
}

/**
 * Rejects a PUT that changes an immutable attribute which already has a value, RFC 7644 §3.5.1
 * ("the input value(s) MUST match"), with `mutability`; both resources are normalised.
 */
export function checkImmutable(
  existing: Record<string, unknown>,
  replacement: Record<string, unknown>,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): void {
  const [core, ...extensions] = registry.schemasOf(resourceType)
  for (const schema of [core, ...extensions]) {
    if (!schema) continue
    const pick = (resource: Record<string, unknown>) =>
      schema === core
        ? resource
        : isObject(resource[schema.id])
          ? (resource[schema.id] as Record<string, unknown>)
          : {}
    for (const attribute of schema.attributes) {
      if (attribute.mutability !== 'immutable') continue
      const before = pick(existing)[attribute.name]
      // An omitted value does not match the existing one either: PUT replaces the whole resource.
      if (before !== undefined && !isEqualValue(before, pick(replacement)[attribute.name])) {
        const name = schema === core ? attribute.name : `${schema.id}:${attribute.name}`
        throw ScimError.mutability(`Attribute '${name}' is immutable and already has a value`)
      }
    }
  }
}

/** Deep equality of two JSON values, object key order ignored (RFC 7644 §3.5.2.1 "already contains the value"). */
export function isEqualValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => isEqualValue(x, b[i]))
    )
  }
  if (!isObject(a) || !isObject(b)) return false
  const keys = Object.keys(a)
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && isEqualValue(a[k], b[k]))
  )
}
