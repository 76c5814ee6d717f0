import type { AttributeDefinition } from '../schema/attribute'

/**
 * Typed AST of a SCIM filter (RFC 7644 §3.4.2.2). Attribute paths are resolved against the
 * schema registry by the parser, so later stages (the SQL compiler, the PATCH engine) never look
 * a name up again.
 */

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'

/** A JSON literal of the filter grammar: `false`, `null`, `true`, a number or a string. */
export type FilterValue = string | number | boolean | null

/**
 * A resolved attribute path. `schema` is the URN of the schema that defines the top-level
 * attribute (core or extension); `attribute` is its definition; `subAttribute` is set for
 * `name.givenName` style paths.
 */
export interface AttributePath {
  readonly schema: string
  readonly attribute: AttributeDefinition
  readonly subAttribute?: AttributeDefinition
}

/**
 * What a comparison or a sort key reads for a path (RFC 7644 §3.4.2.2): a complex attribute named as a
 * whole stands for its `value` sub-attribute (`emails co "@x"`, `manager eq "m"`); undefined when it
 * has none.
 */
export function impliedValue(path: AttributePath): AttributePath | undefined {
  if (path.subAttribute || path.attribute.type !== 'complex') return path
  const value = path.attribute.subAttributes?.find((s) => s.name.toLowerCase() === 'value')
  return value && { ...path, subAttribute: value }
}

/**
 * Whether reading the path could reveal a value the server never returns (RFC 7643 §2.2, `password`):
 * filters and sort keys refuse it, since matches or the order of results would reveal it. A complex
 * attribute named as a whole reads its sub-attributes too — its implied `value` in a comparison or
 * sort, all of them for `pr` — so one never-returned sub-attribute makes the whole of it unreadable.
 */
export const isNeverReturned = (path: AttributePath) =>
  path.attribute.returned === 'never' ||
  (path.subAttribute
    ? path.subAttribute.returned === 'never'
    : (path.attribute.subAttributes ?? []).some((s) => s.returned === 'never'))

export type FilterNode =
  | {
      readonly kind: 'compare'
      readonly path: AttributePath
      readonly op: CompareOperator
      readonly value: FilterValue
    }
  | { readonly kind: 'present'; readonly path: AttributePath }
  | { readonly kind: 'and'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly filter: FilterNode }
  /**
   * `emails[type eq "work" and value co "@x"]`: `path` names the multi-valued complex attribute;
   * `filter` is evaluated per element, and its paths carry the element's sub-attribute in
   * `subAttribute` (with `attribute` = the multi-valued attribute itself).
   */
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly filter: FilterNode }

/**
 * A PATCH path (RFC 7644 §3.5.2, `PATH = attrPath / valuePath [subAttr]`), resolved like filter
 * paths. `attribute`: `userName`, `name.givenName`, `urn:…:User:manager`. `valuePath`:
 * `emails[type eq "work"]` or, with `subAttribute`, `emails[type eq "work"].value`.
 */
export type PatchPath =
  | { readonly kind: 'attribute'; readonly path: AttributePath }
  | {
      readonly kind: 'valuePath'
      readonly path: AttributePath
      readonly filter: FilterNode
      readonly subAttribute?: AttributeDefinition
    }
