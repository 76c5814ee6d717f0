import { describe, expect, it } from 'vitest'
import { builtinRegistry } from '../../src/schema/builtin'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/schema/urns'

const resolveUser = (path: string) => builtinRegistry.resolve(USER_RESOURCE_TYPE, path)
const summary = (path: string, resourceType = USER_RESOURCE_TYPE) => {
  const resolved = builtinRegistry.resolve(resourceType, path)
  return resolved && [resolved.schema, resolved.attribute.name, resolved.subAttribute?.name]
}

describe('resolve', () => {
  it.each([
    ['userName', [USER_SCHEMA, 'userName', undefined]],
    ['USERNAME', [USER_SCHEMA, 'userName', undefined]],
    ['name.givenName', [USER_SCHEMA, 'name', 'givenName']],
    ['NAME.GIVENNAME', [USER_SCHEMA, 'name', 'givenName']],
    ['emails.value', [USER_SCHEMA, 'emails', 'value']],
    ['groups.$ref', [USER_SCHEMA, 'groups', '$ref']],
    [`${USER_SCHEMA}:userName`, [USER_SCHEMA, 'userName', undefined]],
    [`${USER_SCHEMA.toUpperCase()}:Emails.Type`, [USER_SCHEMA, 'emails', 'type']],
    [`${ENTERPRISE_USER_SCHEMA}:manager.value`, [ENTERPRISE_USER_SCHEMA, 'manager', 'value']],
    [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`, [ENTERPRISE_USER_SCHEMA, 'employeeNumber', undefined]],
    ['manager', [ENTERPRISE_USER_SCHEMA, 'manager', undefined]],
    ['manager.displayName', [ENTERPRISE_USER_SCHEMA, 'manager', 'displayName']],
    ['department', [ENTERPRISE_USER_SCHEMA, 'department', undefined]],
    ['externalId', [USER_SCHEMA, 'externalId', undefined]],
    ['id', [USER_SCHEMA, 'id', undefined]],
    ['meta', [USER_SCHEMA, 'meta', undefined]],
    ['meta.lastModified', [USER_SCHEMA, 'meta', 'lastModified']],
    ['Meta.Created', [USER_SCHEMA, 'meta', 'created']],
    [`${USER_SCHEMA}:meta.version`, [USER_SCHEMA, 'meta', 'version']],
    [`${USER_SCHEMA}:id`, [USER_SCHEMA, 'id', undefined]],
  ])('User %s', (path, expected) => {
    expect(summary(path)).toEqual(expected)
  })

  it.each([
    ['displayName', [GROUP_SCHEMA, 'displayName', undefined]],
    ['members.value', [GROUP_SCHEMA, 'members', 'value']],
    [`${GROUP_SCHEMA}:members.$ref`, [GROUP_SCHEMA, 'members', '$ref']],
    ['id', [GROUP_SCHEMA, 'id', undefined]],
    ['meta.lastModified', [GROUP_SCHEMA, 'meta', 'lastModified']],
    ['externalId', [GROUP_SCHEMA, 'externalId', undefined]],
  ])('Group %s', (path, expected) => {
    expect(summary(path, GROUP_RESOURCE_TYPE)).toEqual(expected)
  })

  it.each([
    'nope',
    'name.nope',
    'name.givenName.extra',
    'userName.sub',
    'members',
    'meta.nope',
    `${ENTERPRISE_USER_SCHEMA}:userName`,
    `${ENTERPRISE_USER_SCHEMA}:id`,
    `${GROUP_SCHEMA}:displayName`,
    'urn:example:unknown:2.0:User:userName',
    '',
  ])('User %j is unknown', (path) => {
    expect(resolveUser(path)).toBeUndefined()
  })

  it.each(['userName', 'manager', `${ENTERPRISE_USER_SCHEMA}:manager`])('Group %s is unknown', (path) => {
    expect(builtinRegistry.resolve(GROUP_RESOURCE_TYPE, path)).toBeUndefined()
  })

  it('returns the very definition objects of the schema', () => {
    const userName = builtinRegistry.schema(USER_SCHEMA)?.attributes.find((a) => a.name === 'userName')
    expect(resolveUser('username')?.attribute).toBe(userName)
  })
})

describe('lookups', () => {
  it('finds resource types and schemas in any letter case', () => {
    expect(builtinRegistry.resourceType('user')).toBe(USER_RESOURCE_TYPE)
    expect(builtinRegistry.schema(ENTERPRISE_USER_SCHEMA.toLowerCase())?.name).toBe('EnterpriseUser')
  })

  it('lists the core schema of a resource type before its extensions', () => {
    expect(builtinRegistry.schemasOf(USER_RESOURCE_TYPE).map((s) => s.id)).toEqual([
      USER_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
    ])
    expect(builtinRegistry.schemasOf(GROUP_RESOURCE_TYPE).map((s) => s.id)).toEqual([GROUP_SCHEMA])
  })
})
