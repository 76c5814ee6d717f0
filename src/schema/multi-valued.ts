import { type AttributeDefinition, type AttributeType, attribute } from './attribute'

/** What differs between the multi-valued attributes that share the value/display/type/primary shape. */
interface MultiValuedInput {
  readonly name: string
  readonly description: string
  readonly value: {
    readonly description: string
    readonly type?: AttributeType
    readonly referenceTypes?: readonly string[]
  }
  readonly typeDescription: string
  readonly canonicalTypes?: readonly string[]
  /** The example of the `primary` description, e.g. "the preferred phone number or primary phone number". */
  readonly primaryExample?: string
}

/**
 * Builds a multi-valued complex attribute of RFC 7643 §2.4 (`value`, `display`, `type`, `primary`), with
 * the characteristics of RFC 7643 §8.7.1 (emails, phoneNumbers, ims, photos, entitlements, roles,
 * x509Certificates).
 */
export function multiValuedAttribute(input: MultiValuedInput): AttributeDefinition {
  const example = input.primaryExample ? `, e.g., ${input.primaryExample}` : ''
  return attribute({
    name: input.name,
    type: 'complex',
    multiValued: true,
    description: input.description,
    subAttributes: [
      attribute({ type: 'string', ...input.value, name: 'value' }),
      // RFC 7643 §8.7.1 says "READ-ONLY" here but gives readWrite; we publish the normative characteristic.
      attribute({
        name: 'display',
        type: 'string',
        description: 'A human-readable name, primarily used for display purposes.  READ-ONLY.',
      }),
      attribute({
        name: 'type',
        type: 'string',
        description: input.typeDescription,
        ...(input.canonicalTypes ? { canonicalValues: input.canonicalTypes } : {}),
      }),
      attribute({
        name: 'primary',
        type: 'boolean',
        description: `A Boolean value indicating the 'primary' or preferred attribute value for this attribute${example}.  The primary attribute value 'true' MUST appear no more than once.`,
      }),
    ],
  })
}
