import { describe, expect, it } from 'vitest'
import type { FilterNode } from '../../src/filter/ast'
import { matchesFilter } from '../../src/filter/evaluate'
import { foldCase } from '../../src/filter/fold-case'
import { parseFilter } from '../../src/filter/parser'
import { GROUP, registry, USER } from './filter-fixture'

/** The value filter of `attribute[inner]`, as the PATCH engine gets it from a parsed path. */
function valueFilter(attribute: string, inner: string, resourceType = USER): FilterNode {
  const node = parseFilter(`${attribute}[${inner}]`, registry, resourceType)
  if (node.kind !== 'valuePath') throw new Error(`not a value path: ${node.kind}`)
  return node.filter
}

const work = { value: 'Babs@Example.COM', type: 'work', primary: true, display: '' }
const home = { type: 'home' }
const badge = { code: 'Gold', level: 3, weight: 0.5, earned: '2026-01-01T01:00:00+02:00' }

const cases: Record<string, [attribute: string, inner: string, element: unknown, expected: boolean][]> = {
  strings: [
    ['emails', 'type eq "work"', work, true],
    ['emails', 'type eq "WORK"', work, true],
    ['emails', 'type eq "home"', work, false],
    ['emails', 'type ne "home"', work, true],
    ['emails', 'type ne "Work"', work, false],
    ['emails', 'value co "example.com"', work, true],
    ['emails', 'value co "example.org"', work, false],
    ['emails', 'value sw "babs@"', work, true],
    ['emails', 'value sw "example"', work, false],
    ['emails', 'value ew ".COM"', work, true],
    ['emails', 'value ew "example"', work, false],
    ['emails', 'value gt "a"', work, true],
    ['emails', 'value lt "a"', work, false],
    ['emails', 'value ge "BABS@EXAMPLE.COM"', work, true],
    ['emails', 'value le "babs@example.com"', work, true],
    ['emails', 'value lt "babs@example.com"', work, false],
    ['emails', 'value sw "ｂａｂｓ"', work, true],
    ['badges', 'code eq "Gold"', badge, true],
    ['badges', 'code eq "gold"', badge, false],
    ['badges', 'code co "ol"', badge, true],
    ['badges', 'code sw "g"', badge, false],
    ['tags', 'value eq "alpha"', 'Alpha', true],
    ['tags', 'value sw "AL"', 'Alpha', true],
    ['tags', 'value eq "beta"', 'Alpha', false],
  ],
  'other types': [
    ['emails', 'primary eq true', work, true],
    ['emails', 'primary eq false', work, false],
    ['emails', 'primary eq "true"', work, true],
    ['emails', 'primary ne true', work, false],
    ['emails', 'primary eq false', { ...work, primary: 'false' }, false],
    ['badges', 'level eq 3', badge, true],
    ['badges', 'level gt 2', badge, true],
    ['badges', 'level lt 3', badge, false],
    ['badges', 'level le 3', badge, true],
    ['badges', 'level eq 3', { ...badge, level: '3' }, false],
    ['badges', 'weight ge 0.5', badge, true],
    ['badges', 'weight gt 0.5', badge, false],
    ['badges', 'earned eq "2025-12-31T23:00:00Z"', badge, true],
    ['badges', 'earned eq "2025-12-31T23:00:00.000z"', badge, true],
    ['badges', 'earned lt "2026-01-01T00:00:00Z"', badge, true],
    ['badges', 'earned gt "2026-01-01T00:00:00Z"', badge, false],
    ['badges', 'earned ge "2025-12-31T23:00:00Z"', badge, true],
    ['badges', 'earned gt "2020-01-01T00:00:00Z"', { ...badge, earned: 'yesterday' }, false],
  ],
  presence: [
    ['emails', 'value pr', work, true],
    ['emails', 'display pr', work, false],
    ['emails', 'value pr', home, false],
    ['emails', 'value eq "x"', home, false],
    ['emails', 'value ne "x"', home, true],
    ['emails', 'value eq null', home, true],
    ['emails', 'value ne null', home, false],
    ['emails', 'value eq null', work, false],
    ['emails', 'display eq null', work, true],
    ['tags', 'value pr', 'a', true],
    ['tags', 'value pr', '', false],
    ['tags', 'value pr', null, false],
    ['emails', 'value pr', 'not an object', false],
    ['emails', 'value pr', ['array'], false],
  ],
  logic: [
    ['emails', 'not (type eq "work")', work, false],
    ['emails', 'not (type eq "work")', home, true],
    ['emails', 'type eq "work" and primary eq false', work, false],
    ['emails', 'type eq "work" and primary eq true', work, true],
    ['emails', 'type eq "home" or primary eq true', work, true],
    ['emails', 'type eq "home" or primary eq false', work, false],
    ['emails', 'type eq "work" or (type eq "home" and value ew "@example.com")', home, false],
  ],
}

describe('matchesFilter', () => {
  for (const [group, rows] of Object.entries(cases)) {
    describe(group, () => {
      it.each(rows)('%s[%s] on %j is %s', (attribute, inner, element, expected) => {
        expect(matchesFilter(element, valueFilter(attribute, inner))).toBe(expected)
      })
    })
  }

  it('selects the elements of a multi-valued attribute', () => {
    const emails = [work, home, { value: 'b@x.org', type: 'WORK' }]
    const filter = valueFilter('emails', 'type eq "work"')
    expect(emails.filter((e) => matchesFilter(e, filter))).toEqual([emails[0], emails[2]])
  })

  it('finds sub-attributes whatever the letter case of the stored key', () => {
    expect(matchesFilter({ Value: 'u1' }, valueFilter('members', 'value eq "u1"', GROUP))).toBe(true)
  })

  it('refuses a nested value filter, which the parser never produces', () => {
    const nested = parseFilter('emails[type eq "work"]', registry, USER)
    expect(() => matchesFilter(work, nested)).toThrow(TypeError)
  })
})

describe('foldCase', () => {
  it.each([
    ['ABC', 'abc'],
    ['Ｂａｂｓ', 'babs'],
    ['ÉCOLE', 'école'],
    ['E\u0301cole', 'école'],
    ['ﬁle', 'file'],
  ])('%s → %s', (input, expected) => {
    expect(foldCase(input)).toBe(expected)
  })
})
