import { describe, expect, it } from 'vitest'
import { parseFilter } from '../../src/filter/parser'
import { registry, show, USER } from './filter-fixture'

// Comparison values written without quotes, as Microsoft's SCIMReferenceCode Postman collection
// ("User tests with garbage") and Example 1 of Microsoft's tutorial send them.
const parse = (source: string) => show(parseFilter(source, registry, USER))
const error = (source: string) => {
  try {
    parseFilter(source, registry, USER)
  } catch (caught) {
    return (caught as Error).message
  }
  throw new Error(`${source} parsed`)
}

describe('unquoted comparison values', () => {
  it.each([
    // Microsoft's collection, verbatim
    [
      'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
      '(and (eq name.familyName "Employee") (or (co emails.value "example.com") (co emails.value "example.org")))',
    ],
    ['userName sw O', '(sw userName "O")'],
    [
      'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
      '(gt meta.created "2015-10-10T14:38:21.8617979-07:00")',
    ],
    // Microsoft's tutorial, Example 1
    ['externalId eq jyoung', '(eq externalId "jyoung")'],
    // a bare value ends at whitespace, a parenthesis or a bracket
    ['emails[type eq work]', '(emails[] (eq emails.type "work"))'],
    ['emails[value eq bob@example.com].type eq work', expect.stringContaining('"bob@example.com"')],
    ["userName eq O'Malley", '(eq userName "O\'Malley")'],
    // an id that starts with digits (Entra's GUIDs) is not a number
    [
      'externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      '(eq externalId "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")',
    ],
    ['externalId eq 007', '(eq externalId "007")'],
    // JSON literals and numbers keep their meaning
    ['active eq True', '(eq active true)'],
    ['userName eq null', '(eq userName null)'],
    [
      'urn:example:params:scim:schemas:extension:test:2.0:User:loginCount gt -5',
      expect.stringContaining('-5)'),
    ],
  ])('%s', (source, expected) => {
    expect(parse(source)).toEqual(expected)
  })

  it.each([
    // keywords are never values: a missing value stays an error
    ['userName eq and title pr', 'position 12: expected a value after "eq", found "and"'],
    ['userName eq or', 'expected a value after "eq", found "or"'],
    // a JSON number stays a number, and a bare value is typed like a quoted one
    ['userName eq 42', '"userName" has type string: expected a quoted string, found 42'],
    ['score eq 1e999', 'number 1e999 is out of range'],
    ['loginCount eq 1abc', '"loginCount" has type integer: expected a number, found 1abc'],
    ['meta.created gt 2015-10-10', 'expected an RFC 3339 date-time string'],
    ['meta.created gt 2015-13-10T00:00:00Z', 'expected an RFC 3339 date-time string'],
    ['meta.created gt yesterday', 'expected an RFC 3339 date-time string'],
    ['loginCount eq five', 'expected a number, found five'],
    // a single quote does not start a string
    ["userName eq 'bob'", 'unexpected character "\'"'],
    // only a comparison takes a value
    ['title pr x', 'unexpected "x", expected "and", "or" or the end of the filter'],
    ['userName eq a b', 'unexpected "b"'],
  ])('%s is refused', (source, message) => {
    expect(error(source)).toContain(message)
  })
})
