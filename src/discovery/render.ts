import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from '../schema/attribute'
import {
  LIST_RESPONSE,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
} from '../schema/urns'

/** RFC 9865 §4 — the `pagination` attribute of the service provider configuration. */
export interface PaginationFeatures {
  cursor: boolean
  index: boolean
  defaultPaginationMethod: 'cursor' | 'index'
  defaultPageSize: number
  maxPageSize: number
  /** Seconds a cursor stays valid. */
  cursorTimeout: number
}

/** What the server supports, rendered by `renderServiceProviderConfig` (RFC 7643 §5). */
export interface ServiceProviderFeatures {
  documentationUri: string
  patch: boolean
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number }
  filter: { supported: boolean; maxResults: number }
  changePassword: boolean
  sort: boolean
  etag: boolean
  pagination: PaginationFeatures
}

/** RFC 7644 §3.1 `meta` of a discovery resource. */
interface DiscoveryMeta {
  resourceType: 'Schema' | 'ResourceType' | 'ServiceProviderConfig'
  location: string
}

/** RFC 7643 §7 schema resource. */
export interface SchemaResource {
  schemas: [typeof SCHEMA_SCHEMA]
  id: string
  name: string
  description: string
  attributes: AttributeDefinition[]
  meta: DiscoveryMeta
}

/** RFC 7643 §6 resource type resource. */
export interface ResourceTypeResource {
  schemas: [typeof RESOURCE_TYPE_SCHEMA]
  id: string
  name: string
  endpoint: string
  description: string
  schema: string
  schemaExtensions: { schema: string; required: boolean }[]
  meta: DiscoveryMeta
}

/** RFC 7644 §3.4.2 list response, as the discovery endpoints send it (everything on one page). */
export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE]
  totalResults: number
  itemsPerPage: number
  startIndex: 1
  Resources: T[]
}

/**
 * Copies only the RFC 7643 §7 characteristics, in the RFC's order, so fields added to definitions for
 * other purposes never leak onto the wire and absent optional ones are omitted rather than null.
 */
function renderAttribute(definition: AttributeDefinition): AttributeDefinition {
  return {
    name: definition.name,
    type: definition.type,
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
    caseExact: definition.caseExact,
    ...(definition.canonicalValues ? { canonicalValues: [...definition.canonicalValues] } : {}),
    ...(definition.referenceTypes ? { referenceTypes: [...definition.referenceTypes] } : {}),
    mutability: definition.mutability,
    returned: definition.returned,
    uniqueness: definition.uniqueness,
    ...(definition.subAttributes ? { subAttributes: definition.subAttributes.map(renderAttribute) } : {}),
  }
}

/** Renders a schema for `/Schemas`, RFC 7643 §7 and RFC 7644 §4. */
export function renderSchema(schema: SchemaDefinition, baseUrl: string): SchemaResource {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(renderAttribute),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  }
}

/** Renders a resource type for `/ResourceTypes`, RFC 7643 §6 and RFC 7644 §4. */
export function renderResourceType(
  resourceType: ResourceTypeDefinition,
  baseUrl: string,
): ResourceTypeResource {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: resourceType.id,
    name: resourceType.name,
    endpoint: resourceType.endpoint,
    description: resourceType.description,
    schema: resourceType.schema,
    schemaExtensions: resourceType.schemaExtensions.map(({ schema, required }) => ({ schema, required })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${resourceType.name}` },
  }
}

/** Renders `/ServiceProviderConfig`, RFC 7643 §5 plus RFC 9865 §4 `pagination`. */
export function renderServiceProviderConfig(features: ServiceProviderFeatures, baseUrl: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: features.documentationUri,
    patch: { supported: features.patch },
    bulk: { ...features.bulk },
    filter: { ...features.filter },
    changePassword: { supported: features.changePassword },
    sort: { supported: features.sort },
    etag: { supported: features.etag },
    pagination: { ...features.pagination },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    } satisfies DiscoveryMeta,
  }
}

/** Wraps discovery resources in a single-page list response, RFC 7644 §3.4.2 and §4. */
export function listResponse<T>(resources: readonly T[]): ListResponse<T> {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: [...resources],
  }
}
