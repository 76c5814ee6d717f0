import { describe, expect, it } from 'vitest'
import {
  listResponse,
  renderResourceType,
  renderSchema,
  renderServiceProviderConfig,
  type ServiceProviderFeatures,
} from '../../src/discovery/render'
import { type AttributeDefinition, attribute } from '../../src/schema/attribute'
import { BUILTIN_SCHEMAS } from '../../src/schema/builtin'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from '../../src/schema/urns'
import { USER_SCHEMA_DEFINITION } from '../../src/schema/user'

const BASE = 'https://acme.scim.example.com/scim/v2'

const hasNull = (value: unknown): boolean =>
  value === null || (typeof value === 'object' && Object.values(value as object).some(hasNull))

describe('renderSchema', () => {
  it('renders the RFC 7643 §7 envelope with its meta', () => {
    const rendered = renderSchema(USER_SCHEMA_DEFINITION, BASE)
    expect(rendered).toMatchObject({
      schemas: [SCHEMA_SCHEMA],
      id: USER_SCHEMA,
      name: 'User',
      description: 'User Account',
      meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${USER_SCHEMA}` },
    })
  })

  it('renders an attribute with every characteristic in wire form', () => {
    const userName = renderSchema(USER_SCHEMA_DEFINITION, BASE).attributes.find((a) => a.name === 'userName')
    expect(userName).toEqual({
      name: 'userName',
      type: 'string',
      multiValued: false,
      description: expect.stringContaining('Unique identifier for the User'),
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    })
  })

  it('renders sub-attributes recursively and keeps canonicalValues and referenceTypes', () => {
    const emails = renderSchema(USER_SCHEMA_DEFINITION, BASE).attributes.find((a) => a.name === 'emails')
    expect(emails?.subAttributes?.map((s) => s.name)).toEqual(['value', 'display', 'type', 'primary'])
    expect(emails?.subAttributes?.find((s) => s.name === 'type')?.canonicalValues).toEqual([
      'work',
      'home',
      'other',
    ])
  })

  it.each(BUILTIN_SCHEMAS.map((s) => [s.name, s] as const))(
    '%s never emits null nor absent keys as null',
    (_, s) => {
      const rendered = renderSchema(s, BASE)
      expect(hasNull(rendered)).toBe(false)
      expect(JSON.stringify(rendered)).not.toContain('"canonicalValues":null')
      const userName = rendered.attributes[0] as AttributeDefinition
      expect(Object.keys(userName)).not.toContain('subAttributes')
    },
  )

  it('publishes only the RFC 7643 §7 characteristics, not other fields of a definition', () => {
    const withStorage = { ...attribute({ name: 'x', type: 'string', description: 'x' }), column: 'x_col' }
    const rendered = renderSchema(
      { id: 'urn:x', name: 'X', description: 'X', attributes: [withStorage] },
      BASE,
    )
    expect(rendered.attributes[0]).not.toHaveProperty('column')
  })
})

describe('renderResourceType', () => {
  it('renders User with the optional enterprise extension', () => {
    expect(renderResourceType(USER_RESOURCE_TYPE, BASE)).toEqual({
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    })
  })

  it('renders Group without extensions', () => {
    expect(renderResourceType(GROUP_RESOURCE_TYPE, BASE)).toMatchObject({
      id: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { location: `${BASE}/ResourceTypes/Group` },
    })
  })
})

describe('renderServiceProviderConfig', () => {
  const features: ServiceProviderFeatures = {
    documentationUri: 'https://docs.example.com/scim',
    patch: true,
    bulk: { supported: true, maxOperations: 100, maxPayloadSize: 1_048_576 },
    filter: { supported: true, maxResults: 200 },
    changePassword: false,
    sort: true,
    etag: true,
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 200,
      cursorTimeout: 3600,
    },
  }

  it('renders RFC 7643 §5 with the RFC 9865 pagination object', () => {
    expect(renderServiceProviderConfig(features, BASE)).toEqual({
      schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
      documentationUri: 'https://docs.example.com/scim',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 100, maxPayloadSize: 1_048_576 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: features.pagination,
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'Authentication scheme using the OAuth Bearer Token Standard',
          specUri: 'https://www.rfc-editor.org/info/rfc6750',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    })
  })

  it('does not share objects with the features it was given', () => {
    const rendered = renderServiceProviderConfig(features, BASE)
    rendered.bulk.maxOperations = 1
    expect(features.bulk.maxOperations).toBe(100)
  })
})

describe('listResponse', () => {
  it('wraps all resources in one RFC 7644 §3.4.2 page', () => {
    const resources = BUILTIN_SCHEMAS.map((s) => renderSchema(s, BASE))
    expect(listResponse(resources)).toEqual({
      schemas: [LIST_RESPONSE],
      totalResults: 3,
      itemsPerPage: 3,
      startIndex: 1,
      Resources: resources,
    })
  })

  it('renders an empty list', () => {
    expect(listResponse([])).toMatchObject({ totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] })
  })
})
