import { describe, expect, it } from 'vitest'
import { parsePatchPath } from '../../src/filter/parser'
import { ScimError } from '../../src/http/scim-error'
import { GROUP, registry, showPatchPath, USER } from './filter-fixture'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

describe('parsePatchPath', () => {
  describe('attrPath', () => {
    it.each([
      ['userName', 'userName'],
      ['USERNAME', 'userName'],
      ['name.givenName', 'name.givenName'],
      ['name', 'name'],
      ['emails', 'emails'],
      ['emails.value', 'emails.value'],
      ['active', 'active'],
      ['urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', 'name.familyName'],
      [`${ENTERPRISE}:manager`, 'enterprise:manager'],
      [`${ENTERPRISE}:manager.value`, 'enterprise:manager.value'],
      [`${ENTERPRISE}:employeeNumber`, 'enterprise:employeeNumber'],
      ['manager', 'enterprise:manager'],
    ])('%s', (source, expected) => {
      expect(showPatchPath(parsePatchPath(source, registry, USER))).toBe(expected)
    })
  })

  describe('valuePath', () => {
    it.each([
      [USER, 'emails[type eq "work"]', 'emails[(eq emails.type "work")]'],
      [USER, 'emails[type eq "work"].value', 'emails[(eq emails.type "work")].value'],
      [USER, 'Emails[Type EQ "work"].Display', 'emails[(eq emails.type "work")].display'],
      [
        USER,
        'addresses[type eq "work" and primary eq true].streetAddress',
        'addresses[(and (eq addresses.type "work") (eq addresses.primary true))].streetAddress',
      ],
      [USER, 'tags[value eq "a"]', 'test:tags[(eq test:tags "a")]'],
      [
        GROUP,
        'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
        'members[(eq members.value "2819c223-7f76-453a-919d-413861904646")]',
      ],
      [GROUP, 'members[value eq "id"]', 'members[(eq members.value "id")]'],
      [
        GROUP,
        'urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq "id"]',
        'members[(eq members.value "id")]',
      ],
    ])('%$: %s', (resourceType, source, expected) => {
      expect(showPatchPath(parsePatchPath(source, registry, resourceType))).toBe(expected)
    })

    it('returns the sub-attribute definition after the filter', () => {
      const path = parsePatchPath('emails[type eq "work"].value', registry, USER)
      expect(path).toMatchObject({
        kind: 'valuePath',
        path: { attribute: { name: 'emails' } },
        subAttribute: { name: 'value', type: 'string' },
      })
    })
  })

  describe('errors', () => {
    it.each([
      ['', 'position 0: expected an attribute path, found the end of the input'],
      ['foo', 'position 0: unknown attribute "foo"'],
      ['name.foo', 'unknown attribute "name.foo"'],
      [`${ENTERPRISE}:foo`, `unknown attribute "${ENTERPRISE}:foo"`],
      ['userName eq "x"', 'position 9: unexpected "eq", expected the end of the path'],
      ['emails[foo eq "x"]', 'position 7: unknown sub-attribute "foo" of "emails"'],
      ['emails[type eq and]', 'position 15: expected a value after "eq", found "and"'],
      ['emails[type eq "work"', 'position 21: expected "]" to close "[" at position 6'],
      ['emails[type eq "work"].foo', 'position 22: unknown sub-attribute "foo" of "emails"'],
      [
        'emails[type eq "work"] x',
        'position 23: unexpected "x", expected a sub-attribute or the end of the path',
      ],
      ['emails[type eq "work"].value.x', 'position 28: unexpected ".x", expected the end of the path'],
      ['emails[type[value eq "x"] eq "y"]', 'value filters cannot be nested'],
      ['name[givenName eq "x"]', 'position 0: "name" is not a multi-valued attribute'],
      ['emails.value[type eq "work"]', '"emails.value" is not a multi-valued attribute'],
      ['emails[primary eq "yes"]', '"primary" has type boolean: expected true or false, found "yes"'],
      ['"userName"', 'position 0: expected an attribute path, found "userName"'],
      ['(userName)', 'position 0: expected an attribute path, found "("'],
    ])('%j', (source, detail) => {
      let error: unknown
      try {
        parsePatchPath(source, registry, USER)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ScimError)
      expect(error).toMatchObject({ status: 400, scimType: 'invalidPath' })
      expect((error as Error).message).toMatch(/^Invalid path at position \d+: /)
      expect((error as Error).message).toContain(detail)
    })
  })
})
