import { describe, expect, it } from 'vitest'
import { renderSchema } from '../../src/discovery/render'
import type { AttributeDefinition, SchemaDefinition } from '../../src/schema/attribute'
import { BUILTIN_SCHEMAS } from '../../src/schema/builtin'
import { COMMON_ATTRIBUTES } from '../../src/schema/common'
import { ENTERPRISE_USER_SCHEMA_DEFINITION } from '../../src/schema/enterprise-user'
import { GROUP_SCHEMA_DEFINITION } from '../../src/schema/group'
import { USER_SCHEMA_DEFINITION } from '../../src/schema/user'

/** Finds `attr` or `attr.sub` in a list of definitions. */
function find(attributes: readonly AttributeDefinition[], path: string): AttributeDefinition {
  const [name, sub] = path.split('.')
  const attribute = attributes.find((a) => a.name === name)
  const found = sub === undefined ? attribute : attribute?.subAttributes?.find((a) => a.name === sub)
  if (!found) throw new Error(`no attribute ${path}`)
  return found
}

const at = (schema: SchemaDefinition, path: string) => find(schema.attributes, path)

const SCHEMAS = {
  User: USER_SCHEMA_DEFINITION,
  Group: GROUP_SCHEMA_DEFINITION,
  EnterpriseUser: ENTERPRISE_USER_SCHEMA_DEFINITION,
}

const CHARACTERISTICS = [
  'name',
  'type',
  'multiValued',
  'description',
  'required',
  'caseExact',
  'mutability',
  'returned',
  'uniqueness',
] as const

function* walk(attributes: readonly AttributeDefinition[]): Generator<AttributeDefinition> {
  for (const attribute of attributes) {
    yield attribute
    yield* walk(attribute.subAttributes ?? [])
  }
}

describe('RFC 7643 §4 attribute lists', () => {
  // The attribute names of RFC 7643 §4.1, §4.2 and §4.3, with their sub-attributes.
  it.each<[keyof typeof SCHEMAS, string[]]>([
    [
      'User',
      [
        'userName',
        'name.formatted',
        'name.familyName',
        'name.givenName',
        'name.middleName',
        'name.honorificPrefix',
        'name.honorificSuffix',
        'displayName',
        'nickName',
        'profileUrl',
        'title',
        'userType',
        'preferredLanguage',
        'locale',
        'timezone',
        'active',
        'password',
        ...['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles', 'x509Certificates'].flatMap(
          (a) => ['value', 'display', 'type', 'primary'].map((s) => `${a}.${s}`),
        ),
        ...[
          'formatted',
          'streetAddress',
          'locality',
          'region',
          'postalCode',
          'country',
          'type',
          'primary',
        ].map((s) => `addresses.${s}`),
        'groups.value',
        'groups.$ref',
        'groups.display',
        'groups.type',
        'externalId',
      ],
    ],
    [
      'Group',
      ['displayName', 'members.value', 'members.$ref', 'members.display', 'members.type', 'externalId'],
    ],
    [
      'EnterpriseUser',
      [
        'employeeNumber',
        'costCenter',
        'organization',
        'division',
        'department',
        'manager.value',
        'manager.$ref',
        'manager.displayName',
      ],
    ],
  ])('%s lists every attribute of the RFC', (schema, paths) => {
    for (const path of paths) expect(() => at(SCHEMAS[schema], path), path).not.toThrow()
  })

  it('does not put the common attributes id and meta in any schema', () => {
    for (const schema of BUILTIN_SCHEMAS) {
      expect(schema.attributes.map((a) => a.name)).not.toContain('id')
      expect(schema.attributes.map((a) => a.name)).not.toContain('meta')
    }
  })

  it('states every characteristic of every attribute', () => {
    for (const attribute of walk([...BUILTIN_SCHEMAS.flatMap((s) => s.attributes), ...COMMON_ATTRIBUTES])) {
      for (const key of CHARACTERISTICS) expect(attribute[key], `${attribute.name}.${key}`).toBeDefined()
      expect(attribute.type === 'complex', attribute.name).toBe(attribute.subAttributes !== undefined)
    }
  })
})

describe('characteristics from RFC 7643 §8.7.1', () => {
  it.each<[keyof typeof SCHEMAS, string, Partial<AttributeDefinition>]>([
    [
      'User',
      'userName',
      {
        type: 'string',
        multiValued: false,
        required: true,
        caseExact: false,
        mutability: 'readWrite',
        returned: 'default',
        uniqueness: 'server',
      },
    ],
    ['User', 'emails', { type: 'complex', multiValued: true }],
    ['User', 'emails.type', { canonicalValues: ['work', 'home', 'other'] }],
    ['User', 'phoneNumbers.type', { canonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'] }],
    ['User', 'photos.value', { type: 'reference', referenceTypes: ['external'] }],
    ['User', 'password', { mutability: 'writeOnly', returned: 'never' }],
    ['User', 'active', { type: 'boolean' }],
    ['User', 'profileUrl', { type: 'reference', referenceTypes: ['external'] }],
    ['User', 'groups', { mutability: 'readOnly', multiValued: true }],
    ['User', 'groups.$ref', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }],
    ['User', 'groups.type', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }],
    ['User', 'x509Certificates.value', { type: 'binary' }],
    ['User', 'externalId', { caseExact: true, mutability: 'readWrite' }],
    ['Group', 'displayName', { required: true, uniqueness: 'server' }],
    ['Group', 'members', { multiValued: true, mutability: 'readWrite' }],
    ['Group', 'members.value', { mutability: 'immutable' }],
    [
      'Group',
      'members.$ref',
      { type: 'reference', mutability: 'immutable', referenceTypes: ['User', 'Group'] },
    ],
    ['Group', 'members.display', { mutability: 'readOnly' }],
    ['Group', 'members.type', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }],
    ['Group', 'externalId', { caseExact: true }],
    ['EnterpriseUser', 'manager', { type: 'complex', multiValued: false }],
    ['EnterpriseUser', 'manager.value', { type: 'string', required: false }],
    ['EnterpriseUser', 'manager.$ref', { type: 'reference', referenceTypes: ['User'] }],
    ['EnterpriseUser', 'manager.displayName', { mutability: 'readOnly' }],
  ])('%s %s', (schema, path, expected) => {
    expect(at(SCHEMAS[schema], path)).toMatchObject(expected)
  })

  it.each<[string, Partial<AttributeDefinition>]>([
    ['id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }],
    ['meta', { type: 'complex', mutability: 'readOnly' }],
    ['meta.created', { type: 'dateTime', mutability: 'readOnly' }],
    ['meta.lastModified', { type: 'dateTime', mutability: 'readOnly' }],
    ['meta.location', { type: 'reference', referenceTypes: ['uri'] }],
    ['meta.version', { caseExact: true }],
  ])('common attribute %s', (path, expected) => {
    expect(find(COMMON_ATTRIBUTES, path)).toMatchObject(expected)
  })
})

describe('discovery output equals the definition', () => {
  it.each(BUILTIN_SCHEMAS.map((schema) => [schema.name, schema] as const))(
    '/Schemas/%s round-trips every characteristic',
    (_, schema) => {
      const wire = JSON.parse(JSON.stringify(renderSchema(schema, 'https://t.example/scim/v2'))) as {
        attributes: AttributeDefinition[]
      }
      const compare = (rendered: readonly AttributeDefinition[], defined: readonly AttributeDefinition[]) => {
        expect(rendered.map((a) => a.name)).toEqual(defined.map((a) => a.name))
        defined.forEach((definition, i) => {
          const output = rendered[i] as AttributeDefinition
          for (const key of CHARACTERISTICS)
            expect(output[key], `${definition.name}.${key}`).toEqual(definition[key])
          expect(output.canonicalValues).toEqual(definition.canonicalValues)
          expect(output.referenceTypes).toEqual(definition.referenceTypes)
          compare(output.subAttributes ?? [], definition.subAttributes ?? [])
        })
      }
      compare(wire.attributes, schema.attributes)
    },
  )
})
