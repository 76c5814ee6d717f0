import { describe, expect, it } from 'vitest'
import { applyPatch } from '../../src/patch/apply-patch'
import {
  BABS,
  expectScimError,
  GROUP_CTX,
  group,
  INLINE_GROUP_CTX,
  JAMES,
  patch,
  rfcFixture,
  TEST_CTX,
  TEST_SCHEMA,
  USER_CTX,
  user,
} from './patch-fixture'

const workAddress = () =>
  user({
    addresses: [
      { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood' },
      { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', primary: true },
    ],
  })

describe('replace (RFC 7644 §3.5.2.3)', () => {
  it('replaces a single-valued attribute', () => {
    const { resource, changedAttributes } = patch(user(), USER_CTX, {
      op: 'replace',
      path: 'userName',
      value: 'babs',
    })
    expect(resource.userName).toBe('babs')
    expect(changedAttributes).toEqual(['userName'])
  })

  it('treats a path without a value as add', () => {
    expect(patch(user(), USER_CTX, { op: 'REPLACE', path: 'title', value: 'Guide' }).resource.title).toBe(
      'Guide',
    )
  })

  it('replaces the whole list of a multi-valued attribute', () => {
    const value = [{ value: 'babs@jensen.org', type: 'home' }]
    expect(patch(user(), USER_CTX, { op: 'replace', path: 'emails', value }).resource.emails).toEqual(value)
  })

  it('merges the given sub-attributes into a complex attribute, leaving the others unchanged', () => {
    const { resource } = patch(user(), USER_CTX, {
      op: 'replace',
      path: 'name',
      value: { givenName: 'Babs' },
    })
    expect(resource.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' })
  })

  it('RFC 7644 §3.5.2.3 — replace the work address (merged into the matching element)', () => {
    const operations = rfcFixture('rfc7644-3.5.2.3-replace-work-address').Operations
    const { resource } = applyPatch(workAddress(), operations, USER_CTX)
    expect(resource.addresses).toEqual([
      {
        type: 'work',
        streetAddress: '911 Universal City Plaza',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'US',
        formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
        primary: true,
      },
      // RFC 7643 §2.4 — primary moved to the replaced element.
      { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', primary: false },
    ])
  })

  it('RFC 7644 §3.5.2.3 — replace the street address of the work address', () => {
    const operations = rfcFixture('rfc7644-3.5.2.3-replace-work-street-address').Operations
    const { resource } = applyPatch(workAddress(), operations, USER_CTX)
    expect(resource.addresses).toEqual([
      { type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' },
      { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', primary: true },
    ])
  })

  it('RFC 7644 §3.5.2.3 — replace without path', () => {
    const operations = rfcFixture('rfc7644-3.5.2.3-replace-without-path').Operations
    const { resource } = applyPatch(user(), operations, USER_CTX)
    expect(resource.nickName).toBe('Babs')
    expect(resource.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ])
  })

  it('creates the filtered element when none matches, and later operations find it', () => {
    const { resource } = patch(
      user({ emails: undefined }),
      USER_CTX,
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'a@example.com' },
      { op: 'replace', path: 'emails[type eq "work"].primary', value: true },
    )
    expect(resource.emails).toEqual([{ type: 'work', value: 'a@example.com', primary: true }])
  })

  it('fails with noTarget when nothing matches and the filter does not say what to create', () => {
    expectScimError(
      () => patch(user(), USER_CTX, { op: 'replace', path: 'emails[value co "@nowhere"].type', value: 'x' }),
      'noTarget',
    )
  })

  it('rejects a filter literal of the wrong type with invalidPath, so no such element is created', () => {
    expectScimError(
      () => patch(user(), USER_CTX, { op: 'replace', path: 'emails[type eq 5].value', value: 'a@x' }),
      'invalidPath',
    )
  })

  it('moves primary to the element it sets primary on (RFC 7643 §2.4)', () => {
    const stored = user({
      emails: [
        { value: 'a@example.com', type: 'work', primary: true },
        { value: 'b@example.com', type: 'home' },
      ],
    })
    const { resource } = patch(stored, USER_CTX, {
      op: 'replace',
      path: 'emails[type eq "home"].primary',
      value: true,
    })
    expect(resource.emails).toEqual([
      { value: 'a@example.com', type: 'work', primary: false },
      { value: 'b@example.com', type: 'home', primary: true },
    ])
  })

  it('rejects making two elements primary at once with invalidValue', () => {
    const stored = user({
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'home' },
      ],
    })
    expectScimError(
      () => patch(stored, USER_CTX, { op: 'replace', path: 'emails.primary', value: true }),
      'invalidValue',
    )
  })

  it.each([[''], [null]])('clears the target given %j', (value) => {
    const stored = user({ title: 'x', phoneNumbers: [{ type: 'mobile', value: '+1 555' }] })
    expect(patch(stored, USER_CTX, { op: 'replace', path: 'title', value }).resource).not.toHaveProperty(
      'title',
    )
    const { resource } = patch(stored, USER_CTX, { op: 'replace', path: 'name.givenName', value })
    expect(resource.name).toEqual({ familyName: 'Jensen' })
    const phones = patch(stored, USER_CTX, {
      op: 'replace',
      path: 'phoneNumbers[type eq "mobile"].value',
      value,
    })
    expect(phones.resource).not.toHaveProperty('phoneNumbers')
    expect(patch(stored, USER_CTX, { op: 'replace', path: 'emails', value }).resource).not.toHaveProperty(
      'emails',
    )
  })

  it.each([[''], [null]])('rejects clearing userName with %j (required) with mutability', (value) => {
    expectScimError(() => patch(user(), USER_CTX, { op: 'replace', path: 'userName', value }), 'mutability')
    expectScimError(
      () => patch(user(), USER_CTX, { op: 'replace', value: { userName: value } }),
      'mutability',
    )
  })

  it('ignores readOnly and unknown keys in a path-less value', () => {
    const { resource, changedAttributes } = patch(user(), USER_CTX, {
      op: 'replace',
      value: {
        id: 'other',
        meta: { created: '2000-01-01T00:00:00Z' },
        schemas: ['urn:x'],
        groups: [{ value: 'g1' }],
        shoeSize: 42,
        'emails[type eq "work"].value': 'x@example.com',
        displayName: 'Babs',
      },
    })
    expect(resource.id).toBe(user().id)
    expect(resource.meta).toEqual(user().meta)
    expect(resource).not.toHaveProperty('groups')
    expect(resource.emails).toEqual(user().emails)
    expect(changedAttributes).toEqual(['displayName'])
  })

  it('accepts replacing an immutable attribute with its own value, rejects another with mutability', () => {
    const stored = user({ [TEST_SCHEMA]: { badge: 'B-1' } })
    expect(patch(stored, TEST_CTX, { op: 'replace', path: 'badge', value: 'B-1' }).changedAttributes).toEqual(
      [],
    )
    expectScimError(
      () => patch(stored, TEST_CTX, { op: 'replace', path: 'badge', value: 'B-2' }),
      'mutability',
    )
    expectScimError(() => patch(stored, TEST_CTX, { op: 'replace', value: { badge: 'B-2' } }), 'mutability')
  })

  it('replaces matching elements of a multi-valued attribute without sub-attributes', () => {
    const stored = user({ [TEST_SCHEMA]: { tags: ['a', 'b'] } })
    const { resource } = patch(stored, TEST_CTX, { op: 'replace', path: 'tags[value eq "a"]', value: 'c' })
    expect(resource[TEST_SCHEMA]).toEqual({ tags: ['c', 'b'] })
  })
})

describe('replace members (RFC 7644 §3.5.2.3)', () => {
  it('RFC 7644 §3.5.2.3 — replace members, stored in the resource', () => {
    const operations = rfcFixture('rfc7644-3.5.2.3-replace-members').Operations
    const { resource } = applyPatch(group({ members: [{ value: 'old' }] }), operations, INLINE_GROUP_CTX)
    expect(resource.members).toEqual([{ value: BABS }, { value: JAMES }])
  })

  it('RFC 7644 §3.5.2.3 — replace members, stored apart: remove all, then add', () => {
    const operations = rfcFixture('rfc7644-3.5.2.3-replace-members').Operations
    expect(applyPatch(group(), operations, GROUP_CTX).membership).toEqual([
      { kind: 'removeAll' },
      { kind: 'add', members: [{ value: BABS }, { value: JAMES }] },
    ])
  })

  it('replacing members with an empty list or null removes them all', () => {
    for (const value of [[], null]) {
      expect(patch(group(), GROUP_CTX, { op: 'replace', path: 'members', value }).membership).toEqual([
        { kind: 'removeAll' },
      ])
    }
  })

  it('rejects changing the value of a member in the resource with mutability (members.value is immutable)', () => {
    const stored = group({ members: [{ value: BABS }] })
    expectScimError(
      () =>
        patch(stored, INLINE_GROUP_CTX, {
          op: 'replace',
          path: `members[value eq "${BABS}"].value`,
          value: JAMES,
        }),
      'mutability',
    )
  })

  it('rejects a filtered replace on members stored apart with mutability', () => {
    expectScimError(
      () =>
        patch(group(), GROUP_CTX, {
          op: 'replace',
          path: `members[value eq "${BABS}"]`,
          value: { value: JAMES },
        }),
      'mutability',
    )
  })
})
