import { attribute, type SchemaDefinition } from './attribute'
import { EXTERNAL_ID_ATTRIBUTE } from './common'
import { GROUP_SCHEMA } from './urns'

/** The Group core schema, `urn:ietf:params:scim:schemas:core:2.0:Group`, RFC 7643 §4.2 and §8.7.1. */
export const GROUP_SCHEMA_DEFINITION: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute({
      name: 'displayName',
      type: 'string',
      description: 'A human-readable name for the Group. REQUIRED.',
      // RFC 7643 §4.2 says REQUIRED; §8.7.1's `required: false` contradicts it (reported as an erratum).
      required: true,
      // Deviation from RFC 7643 §8.7.1 ("none"): Entra ID expects group names to be unique in the target.
      uniqueness: 'server',
    }),
    attribute({
      name: 'members',
      type: 'complex',
      multiValued: true,
      description: 'A list of members of the Group.',
      subAttributes: [
        attribute({
          name: 'value',
          type: 'string',
          description: 'Identifier of the member of this Group.',
          mutability: 'immutable',
        }),
        attribute({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
          mutability: 'immutable',
        }),
        // Not in the §8.7.1 representation but used by the §8.4 example; we compute it from the member.
        attribute({
          name: 'display',
          type: 'string',
          description: 'A human-readable name, primarily used for display purposes.  READ-ONLY.',
          mutability: 'readOnly',
        }),
        attribute({
          name: 'type',
          type: 'string',
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
    }),
    EXTERNAL_ID_ATTRIBUTE,
  ],
}
