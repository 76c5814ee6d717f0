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
 * Whether the path names a value the server never returns (RFC 7643 §2.2, `password`): filters and
 * sort keys refuse it, since matches or the order of results would reveal it.
 */
export const isNeverReturned = (path: AttributePath) =>
  path.attribute.returned === 'never' || path.subAttribute?.returned === 'never'

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
