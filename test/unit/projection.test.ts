import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseAttributeList, projectResource, wantsAttribute } from '../../src/projection/project'
import { attribute, type ResourceTypeDefinition } from '../../src/schema/attribute'
import { builtinRegistry } from '../../src/schema/builtin'
import { createRegistry } from '../../src/schema/registry'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, USER_SCHEMA } from '../../src/schema/urns'

const META = {
  resourceType: 'User',
  created: '2024-01-01T00:00:00Z',
  lastModified: '2024-02-01T00:00:00Z',
  location: 'https://acme.scim.example.com/scim/v2/Users/u1',
  version: 'W/"3"',
}

const USER = {
  schemas: [USER_SCHEMA, ENT],
  id: 'u1',
  externalId: 'e1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  displayName: 'Babs',
  active: true,
  password: 'hunter2',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@example.org', type: 'home' },
  ],
  groups: [{ value: 'g1', display: 'Admins', type: 'direct' }],
  [ENT]: { employeeNumber: '701984', manager: { value: 'u2', displayName: 'Boss' } },
  meta: META,
}

const { password: _, ...USER_DEFAULT } = USER

interface Case {
  name: string
  attributes?: string
  excludedAttributes?: string
  expected: Record<string, unknown>
}

const project = (
  resource: Record<string, unknown>,
  attributes?: string,
  excludedAttributes?: string,
  resourceType = USER_RESOURCE_TYPE,
  registry = builtinRegistry,
) =>
  projectResource(
    resource,
    {
      attributes: parseAttributeList(attributes, registry, resourceType),
      excludedAttributes: parseAttributeList(excludedAttributes, registry, resourceType),
    },
    registry,
    resourceType,
  )

describe('parseAttributeList', () => {
  it.each([
    [undefined, []],
    ['', []],
    [' , ', []],
    [' userName , name.givenName ', [`${USER_SCHEMA}:userName`, `${USER_SCHEMA}:name.givenName`]],
    ['EMAILS.VALUE', [`${USER_SCHEMA}:emails.value`]],
    [`${ENT}:manager.value`, [`${ENT}:manager.value`]],
    ['manager', [`${ENT}:manager`]],
    ['meta.lastModified,id', [`${USER_SCHEMA}:meta.lastModified`, `${USER_SCHEMA}:id`]],
    ['unknownThing,userName,name.nope', [`${USER_SCHEMA}:userName`]],
    [
      ENT.toUpperCase(),
      ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'].map(
        (a) => `${ENT}:${a}`,
      ),
    ],
  ])('%j', (param, expected) => {
    const paths = parseAttributeList(param, builtinRegistry, USER_RESOURCE_TYPE)
    const names = paths.map(
      (p) => `${p.schema}:${p.attribute.name}${p.subAttribute ? `.${p.subAttribute.name}` : ''}`,
    )
    expect(names).toEqual(expected)
  })
})

describe('projectResource on a User', () => {
  it.each<Case>([
    { name: 'no parameters: everything but returned:never', expected: USER_DEFAULT },
    {
      name: 'attributes: one attribute plus always-returned',
      attributes: 'userName',
      expected: { schemas: [USER_SCHEMA], id: 'u1', userName: 'bjensen' },
    },
    {
      name: 'attributes: any letter case',
      attributes: 'USERNAME,DisplayName',
      expected: { schemas: [USER_SCHEMA], id: 'u1', userName: 'bjensen', displayName: 'Babs' },
    },
    {
      name: 'attributes: sub-attributes of complex and multi-valued attributes',
      attributes: 'name.givenName,emails.value',
      expected: {
        schemas: [USER_SCHEMA],
        id: 'u1',
        name: { givenName: 'Barbara' },
        emails: [{ value: 'bjensen@example.com' }, { value: 'babs@example.org' }],
      },
    },
    {
      name: 'attributes: a whole attribute wins over its sub-attribute',
      attributes: 'emails.value,emails',
      expected: { schemas: [USER_SCHEMA], id: 'u1', emails: USER.emails },
    },
    {
      name: 'attributes: a sub-attribute no element has drops the attribute',
      attributes: 'emails.display,name.middleName',
      expected: { schemas: [USER_SCHEMA], id: 'u1' },
    },
    {
      name: 'attributes: URN-qualified core and extension paths',
      attributes: `${USER_SCHEMA}:displayName,${ENT}:manager.value`,
      expected: {
        schemas: [USER_SCHEMA, ENT],
        id: 'u1',
        displayName: 'Babs',
        [ENT]: { manager: { value: 'u2' } },
      },
    },
    {
      name: 'attributes: bare extension attribute name',
      attributes: 'employeeNumber',
      expected: { schemas: [USER_SCHEMA, ENT], id: 'u1', [ENT]: { employeeNumber: '701984' } },
    },
    {
      name: 'attributes: an extension URN alone selects the whole extension',
      attributes: ENT,
      expected: { schemas: [USER_SCHEMA, ENT], id: 'u1', [ENT]: USER[ENT] },
    },
    {
      name: 'attributes: returned:never is never returned',
      attributes: 'password',
      expected: { schemas: [USER_SCHEMA], id: 'u1' },
    },
    { name: 'attributes: only id', attributes: 'id', expected: { schemas: [USER_SCHEMA], id: 'u1' } },
    {
      name: 'attributes: unknown names are ignored',
      attributes: 'nickname2,userName',
      expected: { schemas: [USER_SCHEMA], id: 'u1', userName: 'bjensen' },
    },
    {
      name: 'attributes: meta sub-attribute',
      attributes: 'meta.lastModified',
      expected: { schemas: [USER_SCHEMA], id: 'u1', meta: { lastModified: META.lastModified } },
    },
    {
      name: 'attributes take precedence over excludedAttributes',
      attributes: 'userName',
      excludedAttributes: 'userName',
      expected: { schemas: [USER_SCHEMA], id: 'u1', userName: 'bjensen' },
    },
    {
      name: 'excludedAttributes: removes the named attributes',
      excludedAttributes: 'emails,Groups,meta',
      expected: (({ emails: _e, groups: _g, meta: _m, ...rest }) => rest)(USER_DEFAULT),
    },
    {
      name: 'excludedAttributes: never removes returned:always',
      excludedAttributes: 'id,schemas',
      expected: USER_DEFAULT,
    },
    {
      name: 'excludedAttributes: a sub-attribute',
      excludedAttributes: 'emails.primary,name.familyName',
      expected: {
        ...USER_DEFAULT,
        name: { givenName: 'Barbara' },
        emails: [
          { value: 'bjensen@example.com', type: 'work' },
          { value: 'babs@example.org', type: 'home' },
        ],
      },
    },
    {
      name: 'excludedAttributes: an extension URN removes the extension and its schema',
      excludedAttributes: ENT,
      expected: (({ [ENT]: _x, ...rest }) => ({ ...rest, schemas: [USER_SCHEMA] }))(USER_DEFAULT),
    },
    {
      name: 'excludedAttributes: an emptied extension is removed with its schema',
      excludedAttributes: `manager,${ENT}:employeeNumber`,
      expected: (({ [ENT]: _x, ...rest }) => ({ ...rest, schemas: [USER_SCHEMA] }))(USER_DEFAULT),
    },
  ])('$name', ({ attributes, excludedAttributes, expected }) => {
    expect(project(USER, attributes, excludedAttributes)).toEqual(expected)
  })

  it('drops keys no schema describes', () => {
    expect(
      project({ ...USER, tenantId: 't1', name: { givenName: 'B', internal: 1 } }, 'name,tenantId'),
    ).toEqual({
      schemas: [USER_SCHEMA],
      id: 'u1',
      name: { givenName: 'B' },
    })
  })

  it('removes an extension URN from schemas when the extension object is absent', () => {
    expect(project({ schemas: [USER_SCHEMA, ENT], id: 'u1', userName: 'x' })).toEqual({
      schemas: [USER_SCHEMA],
      id: 'u1',
      userName: 'x',
    })
  })

  it('does not modify its input', () => {
    const copy = structuredClone(USER)
    project(USER, 'name.givenName', undefined)
    project(USER, undefined, 'emails.value')
    expect(USER).toEqual(copy)
  })

  it('never returns password, always returns id and schemas, and adds nothing (property)', () => {
    const names = [
      'userName',
      'name.givenName',
      'emails.value',
      'password',
      'id',
      'meta',
      'manager',
      ENT,
      'groups.display',
      'x',
    ]
    fc.assert(
      fc.property(fc.subarray(names), fc.boolean(), (picked, asAttributes) => {
        const list = picked.join(',')
        const output = asAttributes ? project(USER, list) : project(USER, undefined, list)
        expect(output).not.toHaveProperty('password')
        expect(output.id).toBe('u1')
        expect(output.schemas).toContain(USER_SCHEMA)
        for (const key of Object.keys(output)) expect(USER).toHaveProperty([key])
      }),
    )
  })
})

describe('returned: request', () => {
  const SCHEMA = 'urn:example:params:scim:schemas:core:2.0:Thing'
  const THING: ResourceTypeDefinition = {
    id: 'Thing',
    name: 'Thing',
    endpoint: '/Things',
    description: 'Thing',
    schema: SCHEMA,
    schemaExtensions: [],
  }
  const registry = createRegistry(
    [
      {
        id: SCHEMA,
        name: 'Thing',
        description: 'Thing',
        attributes: [
          attribute({ name: 'label', type: 'string', description: 'label' }),
          attribute({ name: 'secret', type: 'string', description: 'secret', returned: 'request' }),
          attribute({
            name: 'detail',
            type: 'complex',
            description: 'detail',
            subAttributes: [
              attribute({ name: 'shown', type: 'string', description: 'shown' }),
              attribute({ name: 'hidden', type: 'string', description: 'hidden', returned: 'request' }),
            ],
          }),
        ],
      },
    ],
    [THING],
  )
  const thing = { schemas: [SCHEMA], id: 't', label: 'l', secret: 's', detail: { shown: 'a', hidden: 'b' } }

  it.each<Case>([
    {
      name: 'not returned by default',
      expected: { schemas: [SCHEMA], id: 't', label: 'l', detail: { shown: 'a' } },
    },
    {
      name: 'not returned with excludedAttributes',
      excludedAttributes: 'label',
      expected: { schemas: [SCHEMA], id: 't', detail: { shown: 'a' } },
    },
    {
      name: 'returned when named',
      attributes: 'secret',
      expected: { schemas: [SCHEMA], id: 't', secret: 's' },
    },
    {
      name: 'a named parent brings its request sub-attributes',
      attributes: 'detail',
      expected: { schemas: [SCHEMA], id: 't', detail: { shown: 'a', hidden: 'b' } },
    },
    {
      name: 'a named sub-attribute',
      attributes: 'detail.hidden',
      expected: { schemas: [SCHEMA], id: 't', detail: { hidden: 'b' } },
    },
  ])('$name', ({ attributes, excludedAttributes, expected }) => {
    expect(project(thing, attributes, excludedAttributes, THING, registry)).toEqual(expected)
  })

  it('wantsAttribute follows the same rule', () => {
    const request = (attributes?: string) => ({
      attributes: parseAttributeList(attributes, registry, THING),
      excludedAttributes: [],
    })
    expect(wantsAttribute(request(), registry, THING, 'secret')).toBe(false)
    expect(wantsAttribute(request('secret'), registry, THING, 'secret')).toBe(true)
  })
})

describe('wantsAttribute', () => {
  const request = (
    resourceType: ResourceTypeDefinition,
    attributes?: string,
    excludedAttributes?: string,
  ) => ({
    attributes: parseAttributeList(attributes, builtinRegistry, resourceType),
    excludedAttributes: parseAttributeList(excludedAttributes, builtinRegistry, resourceType),
  })

  it.each<[string, string | undefined, string | undefined, boolean]>([
    ['members', undefined, undefined, true],
    ['members', undefined, 'members', false],
    ['members', undefined, 'MEMBERS', false],
    ['members', undefined, `${GROUP_SCHEMA}:members`, false],
    ['members', undefined, 'members.display', true],
    ['members', undefined, 'displayName', true],
    ['members', 'displayName', undefined, false],
    ['members', 'members.value', undefined, true],
    ['members', `${GROUP_SCHEMA}:members`, undefined, true],
    ['id', 'displayName', undefined, true],
    ['meta', 'displayName', undefined, false],
    ['nope', undefined, undefined, false],
  ])('Group %s with attributes=%s excludedAttributes=%s → %s', (name, attributes, excluded, expected) => {
    expect(
      wantsAttribute(
        request(GROUP_RESOURCE_TYPE, attributes, excluded),
        builtinRegistry,
        GROUP_RESOURCE_TYPE,
        name,
      ),
    ).toBe(expected)
  })

  it.each<[string, string | undefined, string | undefined, boolean]>([
    ['groups', undefined, undefined, true],
    ['groups', undefined, 'groups', false],
    ['groups', 'userName', undefined, false],
    ['password', undefined, undefined, false],
    ['password', 'password', undefined, false],
    ['manager', undefined, ENT, false],
    [`${ENT}:manager`, ENT, undefined, true],
  ])('User %s with attributes=%s excludedAttributes=%s → %s', (name, attributes, excluded, expected) => {
    expect(
      wantsAttribute(
        request(USER_RESOURCE_TYPE, attributes, excluded),
        builtinRegistry,
        USER_RESOURCE_TYPE,
        name,
      ),
    ).toBe(expected)
  })
})
