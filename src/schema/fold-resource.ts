import { foldCase } from '../filter/fold-case'
import type { AttributeDefinition, ResourceTypeDefinition } from './attribute'
import { findAttribute, isObject } from './coerce'
import type { SchemaRegistry } from './registry'

type Json = Record<string, unknown>

function foldValue(attribute: AttributeDefinition, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => foldValue(attribute, v))
  if (typeof value === 'string') return attribute.caseExact ? value : foldCase(value)
  if (isObject(value) && attribute.subAttributes) return foldAttributes(attribute.subAttributes, value)
  return value
}

function foldAttributes(attributes: readonly AttributeDefinition[], container: Json): Json {
  return Object.fromEntries(
    Object.entries(container).map(([key, value]) => {
      const attribute = findAttribute(attributes, key)
      return [key, attribute ? foldValue(attribute, value) : value]
    }),
  )
}

/**
 * A copy of a resource with every `caseExact: false` string case-folded in the Worker (RFC 7643
 * §2.2). Stored beside the resource so SQL filters compare folded text with folded literals:
 * SQLite's lower() and NOCASE fold only ASCII.
 */
export function foldResource(
  resource: Json,
  registry: SchemaRegistry,
  resourceType: ResourceTypeDefinition,
): Json {
  const [core, ...extensions] = registry.schemasOf(resourceType)
  const out = foldAttributes(core?.attributes ?? [], resource)
  for (const extension of extensions) {
    const values = resource[extension.id]
    if (isObject(values)) out[extension.id] = foldAttributes(extension.attributes, values)
  }
  return out
}
