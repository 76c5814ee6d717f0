import { describe, expect, it } from 'vitest'
import { parseFilter } from '../../src/filter/parser'
import { ScimError } from '../../src/http/scim-error'
import { builtinRegistry } from '../../src/schema/builtin'
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/schema/resource-types'
import { GROUP, registry, show, USER } from './filter-fixture'

const parse = (source: string, resourceType = USER) => show(parseFilter(source, registry, resourceType))

const cases: Record<string, [source: string, expected: string][]> = {
  simple: [
    ['userName eq "bjensen"', '(eq userName "bjensen")'],
    ['userName ne "bjensen"', '(ne userName "bjensen")'],
    ['name.familyName co "O\'Malley"', '(co name.familyName "O\'Malley")'],
    ['userName sw "J"', '(sw userName "J")'],
    ['userName ew "sen"', '(ew userName "sen")'],
    ['title pr', '(pr title)'],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', '(gt meta.lastModified "2011-05-13T04:42:34Z")'],
    [
      'meta.lastModified ge "2011-05-13T04:42:34.5+02:00"',
      '(ge meta.lastModified "2011-05-13T04:42:34.5+02:00")',
    ],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', '(lt meta.lastModified "2011-05-13T04:42:34Z")'],
    ['meta.lastModified le "2016-12-31T23:59:60Z"', '(le meta.lastModified "2016-12-31T23:59:60Z")'],
    ['userName gt "a"', '(gt userName "a")'],
    ['USERNAME EQ "x"', '(eq userName "x")'],
    ['userName Eq "x"', '(eq userName "x")'],
    ['Title PR', '(pr title)'],
    ['  userName \t eq\n"x"  ', '(eq userName "x")'],
    ['displayName eq ""', '(eq displayName "")'],
    ['active eq true', '(eq active true)'],
    ['active eq FALSE', '(eq active false)'],
    ['active eq "true"', '(eq active true)'],
    ['active eq "False"', '(eq active false)'],
    ['active ne false', '(ne active false)'],
    ['userName eq null', '(eq userName null)'],
    ['userName ne NULL', '(ne userName null)'],
    ['emails co "example.com"', '(co emails.value "example.com")'],
    ['emails.type eq "work"', '(eq emails.type "work")'],
    ['emails pr', '(pr emails)'],
    ['name pr', '(pr name)'],
    ['x509Certificates.value eq "TUlJRA=="', '(eq x509Certificates.value "TUlJRA==")'],
    ['profileUrl sw "https://"', '(sw profileUrl "https://")'],
    ['userName eq "a\\"b\\\\c\\u00e9"', '(eq userName "a\\"b\\\\cé")'],
    ['userName eq "\\/\\b\\f\\n\\r\\t"', `(eq userName ${JSON.stringify('/\b\f\n\r\t')})`],
    ['userName eq "\\ud83d\\ude00 😀"', '(eq userName "😀 😀")'],
    ['userName eq "\\u00C9"', '(eq userName "É")'],
    ['loginCount eq 0', '(eq test:loginCount 0)'],
    ['loginCount gt 42', '(gt test:loginCount 42)'],
    ['loginCount lt -7', '(lt test:loginCount -7)'],
    ['score ge 1.25', '(ge test:score 1.25)'],
    ['score le -1.5e2', '(le test:score -150)'],
    ['score eq 1E+3', '(eq test:score 1000)'],
    ['score eq 2.5e-1', '(eq test:score 0.25)'],
    ['code eq "ABC"', '(eq test:code "ABC")'],
  ],
  logical: [
    ['title pr and userType eq "Employee"', '(and (pr title) (eq userType "Employee"))'],
    ['title pr or userType eq "Intern"', '(or (pr title) (eq userType "Intern"))'],
    [
      'title pr or userType eq "x" and active eq true',
      '(or (pr title) (and (eq userType "x") (eq active true)))',
    ],
    [
      'title pr and userType eq "x" or active eq true',
      '(or (and (pr title) (eq userType "x")) (eq active true))',
    ],
    ['title pr or nickName pr or locale pr', '(or (or (pr title) (pr nickName)) (pr locale))'],
    ['title pr and nickName pr and locale pr', '(and (and (pr title) (pr nickName)) (pr locale))'],
    [
      'title pr AND userType Eq "x" Or active eq false',
      '(or (and (pr title) (eq userType "x")) (eq active false))',
    ],
    ['not (title pr)', '(not (pr title))'],
    ['NOT (title pr)', '(not (pr title))'],
    ['not(title pr)', '(not (pr title))'],
    ['not (title pr) and active eq true', '(and (not (pr title)) (eq active true))'],
    ['active eq true or not (title pr)', '(or (eq active true) (not (pr title)))'],
    ['not (not (title pr))', '(not (not (pr title)))'],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      '(and (ne userType "Employee") (not (or (co emails.value "example.com") (co emails.value "example.org"))))',
    ],
  ],
  grouping: [
    ['(title pr)', '(pr title)'],
    ['(((title pr)))', '(pr title)'],
    ['(title pr or nickName pr) and locale pr', '(and (or (pr title) (pr nickName)) (pr locale))'],
    ['title pr and (nickName pr or locale pr)', '(and (pr title) (or (pr nickName) (pr locale)))'],
    ['title pr or (nickName pr or locale pr)', '(or (pr title) (or (pr nickName) (pr locale)))'],
    [
      'not ((title pr or nickName pr) and locale pr)',
      '(not (and (or (pr title) (pr nickName)) (pr locale)))',
    ],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      '(and (eq userType "Employee") (or (co emails.value "example.com") (co emails.value "example.org")))',
    ],
    [`${'('.repeat(50)}title pr${')'.repeat(50)}`, '(pr title)'],
  ],
  valuePath: [
    ['emails[type eq "work"]', '(emails[] (eq emails.type "work"))'],
    ['emails[TYPE Eq "work"]', '(emails[] (eq emails.type "work"))'],
    [
      'emails[type eq "work" and value co "@example.com"]',
      '(emails[] (and (eq emails.type "work") (co emails.value "@example.com")))',
    ],
    [
      'emails[type eq "work"].value eq "x@y"',
      '(emails[] (and (eq emails.type "work") (eq emails.value "x@y")))',
    ],
    [
      'emails[type eq "work" or type eq "home"].value pr',
      '(emails[] (and (or (eq emails.type "work") (eq emails.type "home")) (pr emails.value)))',
    ],
    ['emails[not (primary eq true)]', '(emails[] (not (eq emails.primary true)))'],
    ['emails[primary eq "true"]', '(emails[] (eq emails.primary true))'],
    [
      'emails[type eq "work" or (type eq "home" and value ew "@example.com")]',
      '(emails[] (or (eq emails.type "work") (and (eq emails.type "home") (ew emails.value "@example.com"))))',
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      '(and (eq userType "Employee") (emails[] (and (eq emails.type "work") (co emails.value "@example.com"))))',
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      '(or (emails[] (and (eq emails.type "work") (co emails.value "@example.com"))) (ims[] (and (eq ims.type "xmpp") (co ims.value "@foo.com"))))',
    ],
    ['tags[value eq "a"]', '(test:tags[] (eq test:tags "a"))'],
    ['tags[value sw "a" or value pr]', '(test:tags[] (or (sw test:tags "a") (pr test:tags)))'],
    [
      'addresses[postalCode pr].locality eq "X"',
      '(addresses[] (and (pr addresses.postalCode) (eq addresses.locality "X")))',
    ],
  ],
  urn: [
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', '(sw userName "J")'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "x"', '(eq name.familyName "x")'],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"',
      '(eq enterprise:employeeNumber "1")',
    ],
    ['employeeNumber eq "1"', '(eq enterprise:employeeNumber "1")'],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"',
      '(eq enterprise:manager.value "m")',
    ],
    [
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:MANAGER eq "m"',
      '(eq enterprise:manager.value "m")',
    ],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr', '(pr enterprise:manager)'],
    ['urn:example:params:scim:schemas:extension:test:2.0:User:tags eq "a"', '(eq test:tags "a")'],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]',
      '(emails[] (eq emails.type "work"))',
    ],
  ],
}

describe('parseFilter', () => {
  for (const [group, rows] of Object.entries(cases)) {
    describe(group, () => {
      it.each(rows)('%s', (source, expected) => {
        expect(parse(source)).toBe(expected)
      })
    })
  }

  // Filters Okta, Entra ID and others send, parsed against the real built-in registry.
  describe('identity providers', () => {
    const User = USER_RESOURCE_TYPE.name
    const Group = GROUP_RESOURCE_TYPE.name
    it.each([
      [User, 'userName eq "test.user@okta.local"', '(eq userName "test.user@okta.local")'],
      [User, 'externalId eq "00ujl29u0le5T6Aj10h7"', '(eq externalId "00ujl29u0le5T6Aj10h7")'],
      [
        User,
        'emails[type eq "work"].value eq "x@y"',
        '(emails[] (and (eq emails.type "work") (eq emails.value "x@y")))',
      ],
      [Group, 'displayName eq "Test SCIMv2"', '(eq displayName "Test SCIMv2")'],
      [Group, 'id eq "g" and members[value eq "u"]', '(and (eq id "g") (members[] (eq members.value "u")))'],
      [Group, 'id eq "g" and members eq "u"', '(and (eq id "g") (eq members.value "u"))'],
      [User, 'id eq "u" and manager eq "m"', '(and (eq id "u") (eq enterprise:manager.value "m"))'],
      [User, 'meta.lastModified gt "2026-01-01T00:00:00Z"', '(gt meta.lastModified "2026-01-01T00:00:00Z")'],
      [
        Group,
        'members[value eq "u"].display pr',
        '(members[] (and (eq members.value "u") (pr members.display)))',
      ],
    ])('%s: %s', (resourceType, source, expected) => {
      const type = builtinRegistry.resourceType(resourceType)!
      expect(show(parseFilter(source, builtinRegistry, type))).toBe(expected)
    })
  })

  it('keeps the registry definitions in the AST', () => {
    const node = parseFilter('members eq "u"', registry, GROUP)
    expect(node).toEqual({
      kind: 'compare',
      op: 'eq',
      value: 'u',
      path: {
        schema: 'urn:ietf:params:scim:schemas:core:2.0:Group',
        attribute: expect.objectContaining({ name: 'members', multiValued: true }),
        subAttribute: expect.objectContaining({ name: 'value' }),
      },
    })
  })

  describe('errors', () => {
    const deep = (n: number) => `${'('.repeat(n)}title pr${')'.repeat(n)}`
    it.each([
      // bare values (unquoted comparison values: filter-bare-values.test.ts)
      ['JOHN@EXAMPLE.COM', 'position 4: unexpected character "@"'],
      [
        '"john"',
        'position 0: expected an attribute path, found "john" (a filter is "attribute operator value"',
      ],
      ['userName eq', 'position 11: expected a value after "eq", found the end of the input'],
      // never-returned attributes cannot be probed by filtering
      ['password eq "secret"', 'position 9: "password" is never returned, so it cannot be filtered on'],
      ['password pr', '"password" is never returned'],
      // unknown attributes
      ['foo eq "x"', 'position 0: unknown attribute "foo"'],
      ['name.foo eq "x"', 'unknown attribute "name.foo"'],
      [
        'urn:ietf:params:scim:schemas:core:2.0:User:foo pr',
        'unknown attribute "urn:ietf:params:scim:schemas:core:2.0:User:foo"',
      ],
      ['emails[foo eq "x"]', 'position 7: unknown sub-attribute "foo" of "emails"'],
      ['emails[type eq "work"].foo eq "x"', 'position 22: unknown sub-attribute "foo" of "emails"'],
      // operators
      ['userName xx "x"', 'position 9: expected a comparison operator after "userName", found "xx"'],
      ['userName = "x"', 'position 9: unexpected character "="'],
      ['title', 'position 5: expected a comparison operator after "title", found the end of the input'],
      ['title pr "x"', 'position 9: "pr" takes no value'],
      ['not title pr', 'position 4: expected "(" after "not", found "title"'],
      ['title pr and', 'position 12: expected an attribute path, found the end of the input'],
      ['and title pr', 'position 0: expected an attribute path, found "and"'],
      [
        'userName .value eq "x"',
        'position 9: expected a comparison operator after "userName", found ".value"',
      ],
      // balance and trailing garbage
      ['(title pr', 'position 9: expected ")" to close "(" at position 0, found the end of the input'],
      ['title pr)', 'position 8: unexpected ")", expected "and", "or" or the end of the filter'],
      [
        'emails[type eq "work"',
        'position 21: expected "]" to close "[" at position 6, found the end of the input',
      ],
      ['emails[type eq "work")', 'position 21: expected "]" to close "[" at position 6, found ")"'],
      ['title pr]', 'position 8: unexpected "]"'],
      ['title pr xyz', 'position 9: unexpected "xyz", expected "and", "or" or the end of the filter'],
      ['userName eq "x" "y"', 'position 16: unexpected "y"'],
      ['', 'position 0: expected an attribute path, found the end of the input'],
      ['   ', 'position 3: expected an attribute path, found the end of the input'],
      // value filters
      ['emails[type[value eq "x"] eq "y"]', 'position 11: value filters cannot be nested'],
      ['manager[value eq "m"]', 'position 0: "manager" is not a multi-valued attribute'],
      ['name.givenName[value eq "x"]', '"name.givenName" is not a multi-valued attribute'],
      ['emails[type eq "work"] eq "x"', 'position 23: unexpected "eq"'],
      // limits
      [deep(51), 'position 50: the filter nests more than 50 levels deep'],
      [deep(100_000), 'the filter nests more than 50 levels deep'],
      [`${'not ('.repeat(60)}title pr${')'.repeat(60)}`, 'the filter nests more than 50 levels deep'],
      [`${'title pr or '.repeat(200)}title pr`, 'the filter has more than 200 expressions'],
      // literal types
      ['active eq "yes"', 'position 10: "active" has type boolean: expected true or false, found "yes"'],
      ['active eq 1', '"active" has type boolean: expected true or false, found 1'],
      ['active gt true', '"gt" is not defined for the boolean attribute "active"'],
      [
        'x509Certificates.value lt "A"',
        '"lt" is not defined for the binary attribute "x509Certificates.value"',
      ],
      ['userName eq 5', '"userName" has type string: expected a quoted string, found 5'],
      ['userName eq true', '"userName" has type string: expected a quoted string, found true'],
      ['userName gt null', '"gt" cannot compare with null'],
      ['userName co null', '"co" cannot compare with null'],
      ['meta.lastModified gt "yesterday"', 'expected an RFC 3339 date-time string'],
      ['meta.lastModified gt "2026-02-30T00:00:00Z"', 'expected an RFC 3339 date-time string'],
      ['meta.lastModified gt "2026-01-01"', 'expected an RFC 3339 date-time string'],
      ['meta.lastModified gt "2026-01-01T00:00:00"', 'expected an RFC 3339 date-time string'],
      ['meta.lastModified sw "2026"', '"sw" is not defined for the dateTime attribute "meta.lastModified"'],
      ['loginCount eq "5"', '"loginCount" has type integer: expected a number, found "5"'],
      ['loginCount co 5', '"co" is not defined for the integer attribute "loginCount"'],
      ['name eq "x"', 'position 5: "name" is complex: compare one of its sub-attributes'],
      ['name gt "x"', '"name" is complex: compare one of its sub-attributes'],
      // JSON literals
      ['userName eq "abc', 'position 12: unterminated string'],
      ['userName eq "a\\x"', 'position 14: invalid escape "\\\\x" in a string'],
      ['userName eq "\\u12"', 'position 13: invalid \\u escape: expected four hex digits'],
      ['userName eq "\\ud800"', 'position 12: string contains an unpaired UTF-16 surrogate'],
      ['userName eq "\\udc00\\ud800"', 'string contains an unpaired UTF-16 surrogate'],
      ['userName eq "a\nb"', 'position 14: control character U+000A must be escaped in a string'],
      ['loginCount eq 01', 'position 14: "loginCount" has type integer: expected a number, found 01'],
      ['loginCount eq 1.', 'expected a number, found 1.'],
      ['loginCount eq 1abc', 'expected a number, found 1abc'],
      ['loginCount eq -', 'expected a number, found -'],
      ['loginCount eq .5', 'position 14: "loginCount" has type integer: expected a number, found .5'],
      ['loginCount eq +1', 'position 14: "loginCount" has type integer: expected a number, found +1'],
      ['score eq 1e999', 'position 9: number 1e999 is out of range'],
    ])('%j', (source, detail) => {
      const error = catchError(() => parseFilter(source, registry, USER))
      expect(error).toBeInstanceOf(ScimError)
      expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' })
      expect(error.message).toMatch(/^Invalid filter at position \d+: /)
      expect(error.message).toContain(detail)
    })
  })
})

function catchError(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}
