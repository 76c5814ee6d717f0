import { type AttributeDefinition, attribute } from './attribute'

/**
 * `externalId`, RFC 7643 §3.1. The RFC counts it among the common attributes and §8.7.1 leaves it out of
 * the schema representations, but filters, PATCH and projection resolve every path through a schema, so
 * the User and Group core schemas list it (which also tells clients through /Schemas that we keep it).
 */
export const EXTERNAL_ID_ATTRIBUTE = attribute({
  name: 'externalId',
  type: 'string',
  description:
    'A String that is an identifier for the resource as defined by the provisioning client.  The service provider MUST always interpret the externalId as scoped to the provisioning domain.',
  caseExact: true,
})

/**
 * `id` and `meta`, RFC 7643 §3.1: part of every resource yet of no schema, so /Schemas does not publish
 * them and the registry resolves them for every resource type as if they were core attributes.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute({
    name: 'id',
    type: 'string',
    description:
      'A unique identifier for a SCIM resource as defined by the service provider.  It MUST be a stable, non-reassignable identifier, always issued by the service provider.',
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute({
    name: 'meta',
    type: 'complex',
    description: 'A complex attribute containing resource metadata, assigned by the service provider.',
    mutability: 'readOnly',
    subAttributes: [
      attribute({
        name: 'resourceType',
        type: 'string',
        description: 'The name of the resource type of the resource.',
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute({
        name: 'created',
        type: 'dateTime',
        description: 'The "DateTime" that the resource was added to the service provider.',
        mutability: 'readOnly',
      }),
      attribute({
        name: 'lastModified',
        type: 'dateTime',
        description:
          'The most recent DateTime that the details of this resource were updated at the service provider.',
        mutability: 'readOnly',
      }),
      attribute({
        name: 'location',
        type: 'reference',
        referenceTypes: ['uri'],
        description: 'The URI of the resource being returned.',
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute({
        name: 'version',
        type: 'string',
        description: 'The version of the resource being returned.',
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
]
