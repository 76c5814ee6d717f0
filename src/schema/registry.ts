import type { AttributePath } from '../filter/ast'
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './attribute'
import { COMMON_ATTRIBUTES } from './common'

/**
 * The schemas a tenant sees: the built-in ones plus (later) its own extensions. Every module that
 * needs to know about an attribute asks a registry, never a schema file directly.
 */
export interface SchemaRegistry {
  readonly resourceTypes: readonly ResourceTypeDefinition[]
  readonly schemas: readonly SchemaDefinition[]
  resourceType(name: string): ResourceTypeDefinition | undefined
  schema(urn: string): SchemaDefinition | undefined
  /** The schemas of a resource type: its core schema first, then its extensions. */
  schemasOf(resourceType: ResourceTypeDefinition): readonly SchemaDefinition[]
  /**
   * Resolves `attr`, `attr.sub`, `urn:…:attr` or `urn:…:attr.sub` (any letter case) for a resource
   * type, RFC 7644 §3.10. An unqualified name not in the core schema resolves to the extension
   * attribute of that name when exactly one extension has it (so Entra's bare `manager` works). The
   * common attributes `id` and `meta` (RFC 7643 §3.1) resolve for every resource type, under its core URN.
   */
  resolve(resourceType: ResourceTypeDefinition, path: string): AttributePath | undefined
}

const byName = (attributes: readonly AttributeDefinition[] | undefined, name: string) =>
  attributes?.find((a) => a.name.toLowerCase() === name.toLowerCase())

/**
 * Splits `urn:…:Name:attr.sub` into the schema and the attribute part, when the path starts with a
 * known URN. A dot in place of the colon (`…:enterprise:2.0:User.manager`, as Microsoft's "SCIM
 * Inbound" collection writes it) is read the same: after a known URN it cannot mean anything else.
 */
function splitUrn(
  schemas: readonly SchemaDefinition[],
  path: string,
): { schema?: SchemaDefinition; rest: string } {
  const lower = path.toLowerCase()
  // Longest URN first so that `…:User` never shadows a longer `…:User:…` extension URN.
  const match = [...schemas]
    .sort((a, b) => b.id.length - a.id.length)
    .find((s) => {
      const id = s.id.toLowerCase()
      return lower.startsWith(`${id}:`) || lower.startsWith(`${id}.`)
    })
  return match ? { schema: match, rest: path.slice(match.id.length + 1) } : { rest: path }
}

function resolveIn(
  schema: string,
  attributes: readonly AttributeDefinition[],
  rest: string,
): AttributePath | undefined {
  const [name, sub, ...extra] = rest.split('.')
  if (name === undefined || extra.length > 0) return undefined
  const attribute = byName(attributes, name)
  if (!attribute) return undefined
  if (sub === undefined) return { schema, attribute }
  const subAttribute = byName(attribute.subAttributes, sub)
  return subAttribute ? { schema, attribute, subAttribute } : undefined
}

/** Builds a registry over the given schemas and resource types. */
export function createRegistry(
  schemas: readonly SchemaDefinition[],
  resourceTypes: readonly ResourceTypeDefinition[],
): SchemaRegistry {
  const schemaById = new Map(schemas.map((s) => [s.id.toLowerCase(), s]))
  const schema = (urn: string) => schemaById.get(urn.toLowerCase())
  const schemasOf = (rt: ResourceTypeDefinition) =>
    [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)].flatMap((urn) => schema(urn) ?? [])

  return {
    resourceTypes,
    schemas,
    schema,
    schemasOf,
    resourceType: (name) => resourceTypes.find((rt) => rt.name.toLowerCase() === name.toLowerCase()),
    resolve(resourceType, path) {
      const own = schemasOf(resourceType)
      const [core, ...extensions] = own
      if (!core) return undefined
      // RFC 7643 §3.1 — `id` and `meta` are in every resource but in no schema: resolve them as core attributes.
      const attributesOf = (s: SchemaDefinition) =>
        s === core ? [...COMMON_ATTRIBUTES, ...s.attributes] : s.attributes
      const { schema: qualified, rest } = splitUrn(own, path)
      if (qualified) return resolveIn(qualified.id, attributesOf(qualified), rest)
      const inCore = resolveIn(core.id, attributesOf(core), rest)
      if (inCore) return inCore
      const candidates = extensions.flatMap((ext) => resolveIn(ext.id, ext.attributes, rest) ?? [])
      return candidates.length === 1 ? candidates[0] : undefined
    },
  }
}
