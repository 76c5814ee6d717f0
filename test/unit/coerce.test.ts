import { describe, expect, it } from 'vitest'
import { attribute } from '../../src/schema/attribute'
import { builtinRegistry } from '../../src/schema/builtin'
import {
  checkImmutable,
  coerceValue,
  isEqualValue,
  normalizeResource,
  stripUnstored,
} from '../../src/schema/coerce'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import { GROUP_SCHEMA, USER_SCHEMA } from '../../src/schema/urns'
import { ENTERPRISE, expectScimError, TEST_CTX, TEST_SCHEMA } from './patch-fixture'

const of = (type: Parameters<typeof attribute>[0]['type'], extra = {}) =>
  attribute({ name: 'x', type, description: 'test', ...extra })
const USER_ATTRIBUTES = builtinRegistry.schema(USER_SCHEMA)!.attributes
const userAttribute = (name: string) => USER_ATTRIBUTES.find((a) => a.name === name)!
const manager = builtinRegistry.schema(ENTERPRISE)!.attributes.find((a) => a.name === 'manager')!

describe('coerceValue: simple types (RFC 7643 §2.3)', () => {
  it.each([
    ['True', true],
    ['False', false],
    ['TRUE', true],
    ['false', false],
    [true, true],
    [false, false],
  ])('boolean %j becomes %j (Entra string booleans)', (input, expected) => {
    expect(coerceValue(of('boolean'), input, 'active')).toBe(expected)
  })

  it.each([
    ['boolean', 'yes'],
    ['boolean', 1],
    ['integer', 1.5],
    ['integer', '3'],
    ['integer', Number.NaN],
    ['decimal', Number.POSITIVE_INFINITY],
    ['decimal', '1.5'],
    ['dateTime', '2008-01-23'],
    ['dateTime', '2008-02-30T04:56:22Z'],
    ['dateTime', 1_200_000_000],
    ['binary', 'not base64!'],
    ['binary', 'aGVsbG8'],
    ['string', 42],
    ['reference', { url: 'x' }],
    ['string', ['a']],
  ] as const)('%s rejects %j with invalidValue', (type, input) => {
    expectScimError(() => coerceValue(of(type), input, 'x'), 'invalidValue')
  })

  it.each([
    ['integer', 42],
    ['decimal', 1.5],
    ['decimal', 2],
    ['dateTime', '2008-01-23T04:56:22Z'],
    ['dateTime', '2008-01-23T04:56:22.123+02:00'],
    ['binary', 'aGVsbG8='],
    ['reference', 'https://example.com/v2/Users/1'],
    ['string', ''],
  ] as const)('%s keeps %j as sent', (type, input) => {
    expect(coerceValue(of(type), input, 'x')).toBe(input)
  })

  it('names the attribute path and the expected type in the detail', () => {
    const error = expectScimError(() => coerceValue(of('integer'), 'x', 'urn:x:loginCount'), 'invalidValue')
    expect(error.message).toContain("'urn:x:loginCount'")
    expect(error.message).toContain('an integer')
  })

  it('reads null as unassigned', () => {
    expect(coerceValue(of('string'), null, 'x')).toBeUndefined()
  })

  it('does not enforce canonicalValues (RFC 7643 §2.3.1 SHOULD; IdPs send other types)', () => {
    const emails = userAttribute('emails')
    expect(coerceValue(emails, [{ value: 'a@example.com', type: 'Corporate' }], 'emails')).toEqual([
      { value: 'a@example.com', type: 'Corporate' },
    ])
  })
})

describe('coerceValue: complex and multi-valued (RFC 7643 §2.3.8, §2.4)', () => {
  it('coerces sub-attributes, re-emitting canonical names and dropping unknown and null ones', () => {
    const name = userAttribute('name')
    expect(coerceValue(name, { GIVENNAME: 'Barbara', familyName: null, nickname: 'Babs' }, 'name')).toEqual({
      givenName: 'Barbara',
    })
  })

  it('gives undefined for an empty complex value', () => {
    expect(coerceValue(userAttribute('name'), { familyName: null }, 'name')).toBeUndefined()
  })

  it('rejects a complex attribute given an array or a string without a value sub-attribute', () => {
    expectScimError(() => coerceValue(userAttribute('name'), [{ givenName: 'a' }], 'name'), 'invalidValue')
    expectScimError(() => coerceValue(userAttribute('name'), 'Barbara', 'name'), 'invalidValue')
  })

  it('checks sub-attribute types with the sub-attribute path', () => {
    const error = expectScimError(
      () => coerceValue(userAttribute('emails'), [{ value: 'a@x', primary: 'yes' }], 'emails'),
      'invalidValue',
    )
    expect(error.message).toContain("'emails[0].primary'")
  })

  it('coerces string booleans inside complex values', () => {
    expect(coerceValue(userAttribute('emails'), [{ value: 'a@x', primary: 'True' }], 'emails')).toEqual([
      { value: 'a@x', primary: true },
    ])
  })

  it('wraps a lone element of a multi-valued attribute in a list', () => {
    expect(coerceValue(userAttribute('emails'), { value: 'a@x', type: 'work' }, 'emails')).toEqual([
      { value: 'a@x', type: 'work' },
    ])
  })

  it('drops null and empty elements; an empty list is unassigned', () => {
    expect(
      coerceValue(userAttribute('emails'), [null, { value: 'a@x' }, { display: null }], 'emails'),
    ).toEqual([{ value: 'a@x' }])
    expect(coerceValue(userAttribute('emails'), [], 'emails')).toBeUndefined()
  })

  it('rejects two primary elements (RFC 7643 §2.4)', () => {
    const two = [
      { value: 'a@x', primary: true },
      { value: 'b@x', primary: 'True' },
    ]
    expectScimError(() => coerceValue(userAttribute('emails'), two, 'emails'), 'invalidValue')
  })

  it('drops readOnly sub-attributes and $ref (members.display, Entra "$ref": null)', () => {
    const members = builtinRegistry.schema(GROUP_SCHEMA)!.attributes.find((a) => a.name === 'members')!
    expect(
      coerceValue(members, [{ value: 'u1', display: 'Babs', $ref: null, type: 'User' }], 'members'),
    ).toEqual([{ value: 'u1', type: 'User' }])
  })
})

describe('coerceValue: single-valued complex with a value sub-attribute (Entra manager shapes)', () => {
  it.each([
    ['a plain id', 'mid'],
    ['a { value } object', { value: 'mid' }],
    ['a one-element list', [{ $ref: 'https://example.com/scim/Users/mid', value: 'mid' }]],
    ['an object with readOnly displayName', { value: 'mid', displayName: 'Boss' }],
  ])('reads %s as { value }', (_, input) => {
    expect(coerceValue(manager, input, 'manager')).toEqual({ value: 'mid' })
  })

  it.each([[''], [[]], [null]])('reads %j as unassigned', (input) => {
    expect(coerceValue(manager, input, 'manager')).toBeUndefined()
  })

  it('rejects a list of two managers', () => {
    expectScimError(() => coerceValue(manager, [{ value: 'a' }, { value: 'b' }], 'manager'), 'invalidValue')
  })
})

describe('normalizeResource (RFC 7644 §3.3, §3.5.1)', () => {
  const normalizeUser = (body: Record<string, unknown>) =>
    normalizeResource(body, builtinRegistry, USER_RESOURCE_TYPE, 'create')

  it('Okta — Create user (POST /Users with password placeholder and groups: [])', () => {
    const body = {
      schemas: [USER_SCHEMA],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    }
    const normalized = normalizeUser(body)
    expect(normalized).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      password: '1mz050nq',
      active: true,
    })
    expect(stripUnstored(normalized, builtinRegistry, USER_RESOURCE_TYPE)).not.toHaveProperty('password')
  })

  it('Entra — Create user (example 2: nulls, enterprise names at the root, client meta, typo URN)', () => {
    const body = {
      schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: 'True',
      addresses: null,
      displayName: 'Test User',
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
      department: null,
      manager: null,
      roles: [],
    }
    expect(normalizeUser(body)).toEqual({
      schemas: [USER_SCHEMA],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      displayName: 'Test User',
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb@testuser.com' }],
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    })
  })

  it('ignores a non-null enterprise attribute at the root: RFC 7644 §3.3 wants it under the URN', () => {
    expect(normalizeUser({ userName: 'a', department: 'Sales' })).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'a',
    })
  })

  it('keeps extension attributes under their URN (key in any case) and lists the URN in schemas', () => {
    const normalized = normalizeUser({
      userName: 'a',
      [ENTERPRISE.toUpperCase()]: { EmployeeNumber: '701984', manager: 'mid', unknown: 1 },
    })
    expect(normalized).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'a',
      [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'mid' } },
    })
  })

  it('leaves an extension whose attributes are all null out of schemas', () => {
    expect(normalizeUser({ userName: 'a', [ENTERPRISE]: { department: null } })).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'a',
    })
  })

  it('rejects an extension value that is not an object', () => {
    expectScimError(() => normalizeUser({ userName: 'a', [ENTERPRISE]: 'x' }), 'invalidValue')
  })

  it('matches attribute names case-insensitively and emits canonical names', () => {
    expect(normalizeUser({ USERNAME: 'a', Name: { GivenName: 'B' }, Active: 'false' })).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'a',
      name: { givenName: 'B' },
      active: false,
    })
  })

  it('Okta — Profile update PUT (legacy sample with meta, id, password, groups: [])', () => {
    const body = {
      schemas: [USER_SCHEMA],
      id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
      userName: 'test.user@okta.local',
      name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Another User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
      meta: {
        resourceType: 'User',
        created: '04-12-2018 00:00:00',
        lastModified: '04-12-2018 00:00:00',
        version: 'v1.0',
      },
    }
    const normalized = normalizeResource(body, builtinRegistry, USER_RESOURCE_TYPE, 'replace')
    expect(normalized).not.toHaveProperty('id')
    expect(normalized).not.toHaveProperty('meta')
    expect(normalized).not.toHaveProperty('groups')
    expect(normalized.name).toEqual({ givenName: 'Another', familyName: 'User' })
  })

  it.each([
    ['missing', {}],
    ['null', { userName: null }],
    ['empty', { userName: '' }],
  ])('rejects a %s userName with invalidValue (RFC 7644 §3.12)', (_, body) => {
    const error = expectScimError(() => normalizeUser({ name: { givenName: 'a' }, ...body }), 'invalidValue')
    expect(error.message).toContain('userName')
  })

  it('rejects a Group without displayName, naming the request', () => {
    const error = expectScimError(
      () => normalizeResource({ members: [] }, builtinRegistry, GROUP_RESOURCE_TYPE, 'replace'),
      'invalidValue',
    )
    expect(error.message).toContain('PUT')
  })

  it('Okta — Create group (members: [])', () => {
    const body = { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] }
    expect(normalizeResource(body, builtinRegistry, GROUP_RESOURCE_TYPE, 'create')).toEqual({
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
    })
  })

  it('Okta — Create group (legacy, members with display)', () => {
    const body = {
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
      members: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'steve@ad.oktatest.com' }],
    }
    expect(normalizeResource(body, builtinRegistry, GROUP_RESOURCE_TYPE, 'create').members).toEqual([
      { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173' },
    ])
  })

  it('Entra — Create group (non-RFC schema URI, client meta)', () => {
    const body = {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    }
    expect(normalizeResource(body, builtinRegistry, GROUP_RESOURCE_TYPE, 'create')).toEqual({
      schemas: [GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
    })
  })
})

describe('checkImmutable (RFC 7644 §3.5.1)', () => {
  const { registry, resourceType } = TEST_CTX
  const stored = { schemas: [USER_SCHEMA, TEST_SCHEMA], userName: 'a', [TEST_SCHEMA]: { badge: 'B-1' } }

  it('accepts the same value', () => {
    expect(() => checkImmutable(stored, structuredClone(stored), registry, resourceType)).not.toThrow()
  })

  it('accepts a first value', () => {
    const replacement = { ...stored, [TEST_SCHEMA]: { badge: 'B-1' } }
    expect(() => checkImmutable({ userName: 'a' }, replacement, registry, resourceType)).not.toThrow()
  })

  it.each([
    ['changed', { badge: 'B-2' }],
    ['omitted', { tags: ['x'] }],
  ])('rejects an immutable value %s with mutability', (_, extension) => {
    const replacement = { ...stored, [TEST_SCHEMA]: extension }
    expectScimError(() => checkImmutable(stored, replacement, registry, resourceType), 'mutability')
  })
})

describe('isEqualValue', () => {
  it('ignores key order and compares deeply', () => {
    expect(isEqualValue({ a: 1, b: [{ c: 2 }] }, { b: [{ c: 2 }], a: 1 })).toBe(true)
    expect(isEqualValue({ a: 1 }, { a: 1, b: undefined })).toBe(false)
    expect(isEqualValue([1, 2], [2, 1])).toBe(false)
    expect(isEqualValue({ toString: 1 }, {})).toBe(false)
  })
})
