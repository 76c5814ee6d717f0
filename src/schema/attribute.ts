/**
 * Attribute characteristics, RFC 7643 §2.2 and §7. Every SCIM attribute this server knows is
 * described exactly once as an `AttributeDefinition`; validation, PATCH, filtering, projection,
 * storage and discovery all read these definitions.
 */

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'binary'
  | 'reference'
  | 'complex'

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
export type Returned = 'always' | 'never' | 'default' | 'request'
export type Uniqueness = 'none' | 'server' | 'global'

/** RFC 7643 §7 attribute definition, with the wire names of its characteristics. */
export interface AttributeDefinition {
  readonly name: string
  readonly type: AttributeType
  readonly multiValued: boolean
  readonly description: string
  readonly required: boolean
  readonly caseExact: boolean
  readonly mutability: Mutability
  readonly returned: Returned
  readonly uniqueness: Uniqueness
  readonly canonicalValues?: readonly string[]
  readonly referenceTypes?: readonly string[]
  readonly subAttributes?: readonly AttributeDefinition[]
}

/** RFC 7643 §7 schema definition (a core schema or an extension). */
export interface SchemaDefinition {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly attributes: readonly AttributeDefinition[]
}

/** RFC 7643 §6 resource type: a core schema plus its extensions. */
export interface ResourceTypeDefinition {
  readonly id: string
  readonly name: string
  readonly endpoint: string
  readonly description: string
  readonly schema: string
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[]
}

/** Defaults of RFC 7643 §2.2 for characteristics an attribute does not state. */
const DEFAULTS = {
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
} as const

type AttributeInput = Pick<AttributeDefinition, 'name' | 'type' | 'description'> &
  Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>

/** Builds a definition, filling the RFC 7643 §2.2 defaults so every definition states all characteristics. */
export function attribute(input: AttributeInput): AttributeDefinition {
  return { ...DEFAULTS, ...input }
}
