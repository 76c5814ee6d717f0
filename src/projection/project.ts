import type { AttributePath } from '../filter/ast'
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/attribute'
import { COMMON_ATTRIBUTES } from '../schema/common'
import type { SchemaRegistry } from '../schema/registry'

/** The parsed `attributes` and `excludedAttributes` of a request, RFC 7644 §3.4.2.5 and §3.9. */
export interface ProjectionRequest {
  readonly attributes: readonly AttributePath[]
  readonly excludedAttributes: readonly AttributePath[]
}

/** How much of one top-level attribute goes into the response. */
interface Selection {
  /** The client named the attribute itself, so its `returned: request` sub-attributes come along. */
  readonly named: boolean
  /** Lower-case names of the only sub-attributes asked for (`attributes=name.givenName`). */
  readonly only?: ReadonlySet<string>
  /** Lower-case names of the sub-attributes left out (`excludedAttributes=emails.display`). */
  readonly except?: ReadonlySet<string>
}

type JsonObject = Record<string, unknown>

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const byName = (attributes: readonly AttributeDefinition[] | undefined, name: string) =>
  attributes?.find((a) => same(a.name, name))
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isEmpty = (value: unknown) => isObject(value) && Object.keys(value).length === 0
const subNames = (paths: readonly AttributePath[]) =>
  new Set(paths.flatMap((p) => (p.subAttribute ? [p.subAttribute.name.toLowerCase()] : [])))

/**
 * Parses an `attributes` or `excludedAttributes` parameter, RFC 7644 §3.4.2.5: comma-separated, any letter
 * case, optionally URN-qualified, with sub-attributes. A schema URN alone stands for all its attributes.
 * Unknown names are ignored: RFC 7644 is silent, and identity providers send names we do not keep.
 */
export function parseAttributeList(
  param: string | undefined,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): AttributePath[] {
  if (!param) return []
  const schemas = registry.schemasOf(resourceType)
  return param
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .flatMap((name) => {
      const whole = schemas.find((s) => same(s.id, name))
      if (whole) return whole.attributes.map((attribute) => ({ schema: whole.id, attribute }))
      return registry.resolve(resourceType, name) ?? []
    })
}

/** Decides whether and how a top-level attribute is returned, RFC 7643 §2.2 `returned` × RFC 7644 §3.9. */
function select(
  request: ProjectionRequest,
  schema: string,
  attribute: AttributeDefinition,
): Selection | undefined {
  if (attribute.returned === 'never') return undefined
  if (attribute.returned === 'always') return { named: true }
  const named = (p: AttributePath) => same(p.schema, schema) && same(p.attribute.name, attribute.name)
  // RFC 7644 §3.9 — `attributes` overrides the default set, so `excludedAttributes` only applies without it.
  if (request.attributes.length > 0) {
    const paths = request.attributes.filter(named)
    if (paths.length === 0) return undefined
    return paths.some((p) => !p.subAttribute) ? { named: true } : { named: false, only: subNames(paths) }
  }
  if (attribute.returned === 'request') return undefined
  const excluded = request.excludedAttributes.filter(named)
  if (excluded.some((p) => !p.subAttribute)) return undefined
  return { named: false, except: subNames(excluded) }
}

function keepSubAttribute(definition: AttributeDefinition, selection: Selection): boolean {
  if (definition.returned === 'never') return false
  if (definition.returned === 'always') return true
  const name = definition.name.toLowerCase()
  if (selection.only) return selection.only.has(name)
  if (selection.except?.has(name)) return false
  return definition.returned !== 'request' || selection.named
}

/** Whether a sub-attribute key is kept, decided once per key and projection, not once per element. */
function keptKeys(subAttributes: readonly AttributeDefinition[], selection: Selection) {
  const kept = new Map<string, boolean>()
  return (key: string) => {
    let keep = kept.get(key)
    if (keep === undefined) {
      const definition = byName(subAttributes, key)
      keep = definition !== undefined && keepSubAttribute(definition, selection)
      kept.set(key, keep)
    }
    return keep
  }
}

function projectComplex(value: unknown, keep: (key: string) => boolean) {
  if (!isObject(value)) return value
  const output: JsonObject = {}
  for (const key of Object.keys(value)) if (keep(key)) output[key] = value[key]
  return output
}

/** Projects one attribute's value; undefined when nothing of a non-empty value is left. */
function projectValue(value: unknown, attribute: AttributeDefinition, selection: Selection): unknown {
  const subAttributes = attribute.subAttributes
  if (!subAttributes) return value
  const keep = keptKeys(subAttributes, selection)
  if (Array.isArray(value)) {
    const elements = value.map((e) => projectComplex(e, keep)).filter((e) => !isEmpty(e))
    return elements.length > 0 || value.length === 0 ? elements : undefined
  }
  const projected = projectComplex(value, keep)
  return isEmpty(projected) && !isEmpty(value) ? undefined : projected
}

/** Projects the members of one schema's object; keys no definition describes are never sent. */
function projectMembers(
  object: JsonObject,
  schema: string,
  attributes: readonly AttributeDefinition[],
  request: ProjectionRequest,
): JsonObject {
  const output: JsonObject = {}
  for (const [key, value] of Object.entries(object)) {
    const definition = byName(attributes, key)
    const selection = definition && select(request, schema, definition)
    if (!definition || !selection) continue
    const projected = projectValue(value, definition, selection)
    if (projected !== undefined) output[key] = projected
  }
  return output
}

/**
 * Applies `attributes` / `excludedAttributes` and the `returned` characteristics to a resource in SCIM
 * wire form, RFC 7644 §3.4.2.5 and §3.9: `schemas` and `id` always, `returned: never` never, `returned:
 * request` only when asked for. Call it on every response, even without parameters, so that `password`
 * never leaves. An extension left empty is dropped, together with its URN in `schemas`.
 */
export function projectResource(
  resource: JsonObject,
  request: ProjectionRequest,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): JsonObject {
  const core = registry.schema(resourceType.schema)
  const coreAttributes = [...COMMON_ATTRIBUTES, ...(core?.attributes ?? [])]
  const output = projectMembers(resource, core?.id ?? resourceType.schema, coreAttributes, request)
  for (const { schema } of resourceType.schemaExtensions) {
    const extension = registry.schema(schema)
    const key = Object.keys(resource).find((k) => same(k, schema))
    const value = key === undefined ? undefined : resource[key]
    if (!extension || key === undefined || !isObject(value)) continue
    const members = projectMembers(value, extension.id, extension.attributes, request)
    if (Object.keys(members).length > 0) output[key] = members
  }
  if (!Array.isArray(resource.schemas)) return output
  // Stored `schemas` may name an extension the tenant no longer declares; only what is sent is listed.
  const isSent = (urn: unknown) =>
    typeof urn === 'string' &&
    (same(urn, resourceType.schema) || Object.keys(output).some((k) => same(k, urn)))
  return { schemas: resource.schemas.filter(isSent), ...output }
}

/**
 * Whether a top-level attribute (`members`, `groups`, `urn:…:manager`) would appear in the projected
 * response, so that callers can skip reading data nobody will see (RFC 7644 §3.4.2.5).
 */
export function wantsAttribute(
  request: ProjectionRequest,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
  name: string,
): boolean {
  const path = registry.resolve(resourceType, name)
  return path !== undefined && select(request, path.schema, path.attribute) !== undefined
}
