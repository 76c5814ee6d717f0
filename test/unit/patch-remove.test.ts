import { describe, expect, it } from 'vitest'
import { applyPatch } from '../../src/patch/apply-patch'
import { USER_SCHEMA } from '../../src/schema/urns'
import {
  BABS,
  ENTERPRISE,
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

const twoMembers = () => group({ members: [{ value: BABS }, { value: JAMES }] })

describe('remove (RFC 7644 §3.5.2.2)', () => {
  it('removes a single-valued attribute', () => {
    const { resource, changedAttributes } = patch(user({ title: 'x' }), USER_CTX, {
      op: 'remove',
      path: 'title',
    })
    expect(resource).not.toHaveProperty('title')
    expect(changedAttributes).toEqual(['title'])
  })

  it('succeeds without change when the attribute has no value', () => {
    expect(patch(user(), USER_CTX, { op: 'Remove', path: 'nickName' }).changedAttributes).toEqual([])
  })

  it('fails with noTarget without a path', () => {
    expectScimError(() => patch(user(), USER_CTX, { op: 'remove' }), 'noTarget')
  })

  it('rejects removing a required attribute with mutability ("becomes unassigned … required")', () => {
    expectScimError(() => patch(user(), USER_CTX, { op: 'remove', path: 'userName' }), 'mutability')
  })

  it.each(['id', 'meta', 'groups', 'meta.lastModified'])(
    'rejects removing readOnly %s with mutability',
    (path) => {
      expectScimError(() => patch(user(), USER_CTX, { op: 'remove', path }), 'mutability')
    },
  )

  it('rejects removing an immutable attribute that has a value with mutability', () => {
    const stored = user({ [TEST_SCHEMA]: { badge: 'B-1' } })
    expectScimError(() => patch(stored, TEST_CTX, { op: 'remove', path: 'badge' }), 'mutability')
  })

  it('removes a sub-attribute, and the complex attribute with its last one', () => {
    const once = patch(user(), USER_CTX, { op: 'remove', path: 'name.givenName' }).resource
    expect(once.name).toEqual({ familyName: 'Jensen' })
    expect(patch(once, USER_CTX, { op: 'remove', path: 'name.familyName' }).resource).not.toHaveProperty(
      'name',
    )
  })

  it('removes a whole multi-valued attribute', () => {
    expect(patch(user(), USER_CTX, { op: 'remove', path: 'emails' }).resource).not.toHaveProperty('emails')
  })

  it('removes the listed elements when a value is given', () => {
    const stored = user({
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'home' },
      ],
    })
    const { resource } = patch(stored, USER_CTX, {
      op: 'remove',
      path: 'emails',
      value: [{ value: 'b@example.com' }],
    })
    expect(resource.emails).toEqual([{ value: 'a@example.com', type: 'work' }])
  })

  it('removes the elements a filter matches, and nothing when none matches', () => {
    const stored = user({
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'home' },
      ],
    })
    expect(patch(stored, USER_CTX, { op: 'remove', path: 'emails[type eq "home"]' }).resource.emails).toEqual(
      [{ value: 'a@example.com', type: 'work' }],
    )
    const { changedAttributes } = patch(stored, USER_CTX, { op: 'remove', path: 'emails[type eq "other"]' })
    expect(changedAttributes).toEqual([])
  })

  it('RFC 7644 §3.5.2.2 — remove emails by a two-condition filter', () => {
    const stored = user({
      emails: [
        { value: 'bjensen@example.com', type: 'work' },
        { value: 'babs@jensen.org', type: 'work' },
      ],
    })
    const { resource } = applyPatch(
      stored,
      rfcFixture('rfc7644-3.5.2.2-remove-emails-by-filter').Operations,
      USER_CTX,
    )
    expect(resource.emails).toEqual([{ value: 'babs@jensen.org', type: 'work' }])
  })

  it('removes only the sub-attribute of the matching elements', () => {
    const stored = user({ emails: [{ value: 'a@example.com', type: 'work', display: 'Work' }] })
    const { resource } = patch(stored, USER_CTX, { op: 'remove', path: 'emails[type eq "work"].display' })
    expect(resource.emails).toEqual([{ value: 'a@example.com', type: 'work' }])
  })

  it('drops an element left with only type and primary', () => {
    const { resource } = patch(user(), USER_CTX, { op: 'remove', path: 'emails[type eq "work"].value' })
    expect(resource).not.toHaveProperty('emails')
  })

  it('removes an extension attribute, the emptied extension object and its URN in schemas', () => {
    const stored = user({ schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'mid' } } })
    for (const path of ['manager', `${ENTERPRISE}:manager`, `${ENTERPRISE.toLowerCase()}:Manager`]) {
      const { resource, changedAttributes } = patch(stored, USER_CTX, { op: 'remove', path })
      expect(resource).not.toHaveProperty(ENTERPRISE)
      expect(resource.schemas).toEqual([USER_SCHEMA])
      expect(changedAttributes).toEqual([`${ENTERPRISE}:manager`])
    }
  })

  it('ignores a value on a single-valued attribute', () => {
    expect(
      patch(user({ title: 'x' }), USER_CTX, { op: 'remove', path: 'title', value: 'y' }).resource,
    ).not.toHaveProperty('title')
  })

  it('applies nothing when a later operation fails (atomic, RFC 7644 §3.5.2)', () => {
    const input = user({ title: 'x' })
    expectScimError(
      () => patch(input, USER_CTX, { op: 'remove', path: 'title' }, { op: 'remove', path: 'userName' }),
      'mutability',
    )
    expect(input.title).toBe('x')
  })
})

describe('remove members (RFC 7644 §3.5.2.2)', () => {
  it('RFC 7644 §3.5.2.2 — remove one member by filter, stored in the resource', () => {
    const operations = rfcFixture('rfc7644-3.5.2.2-remove-member').Operations
    expect(applyPatch(twoMembers(), operations, INLINE_GROUP_CTX).resource.members).toEqual([
      { value: JAMES },
    ])
  })

  it('RFC 7644 §3.5.2.2 — remove one member by filter, stored apart', () => {
    const operations = rfcFixture('rfc7644-3.5.2.2-remove-member').Operations
    const { membership, changedAttributes } = applyPatch(group(), operations, GROUP_CTX)
    expect(membership).toEqual([{ kind: 'remove', values: [BABS] }])
    expect(changedAttributes).toEqual(['members'])
  })

  it('RFC 7644 §3.5.2.2 — remove all members', () => {
    const operations = rfcFixture('rfc7644-3.5.2.2-remove-all-members').Operations
    expect(applyPatch(twoMembers(), operations, INLINE_GROUP_CTX).resource).not.toHaveProperty('members')
    expect(applyPatch(group(), operations, GROUP_CTX).membership).toEqual([{ kind: 'removeAll' }])
  })

  it('RFC 7644 §3.5.2.2 — remove one member and add another', () => {
    const operations = rfcFixture('rfc7644-3.5.2.2-remove-and-add-member').Operations
    expect(
      applyPatch(group({ members: [{ value: BABS }] }), operations, INLINE_GROUP_CTX).resource.members,
    ).toEqual([{ value: JAMES }])
    expect(applyPatch(group(), operations, GROUP_CTX).membership).toEqual([
      { kind: 'remove', values: [BABS] },
      { kind: 'add', members: [{ value: JAMES }] },
    ])
  })

  it('RFC 7644 §3.5.2.2 — remove all members and add two', () => {
    const operations = rfcFixture('rfc7644-3.5.2.2-remove-all-and-add-members').Operations
    expect(applyPatch(group(), operations, GROUP_CTX).membership).toEqual([
      { kind: 'removeAll' },
      { kind: 'add', members: [{ value: BABS }, { value: JAMES }] },
    ])
  })

  it('removes exactly the listed members when a value list is given', () => {
    const value = [{ value: BABS, $ref: null }]
    const inline = patch(twoMembers(), INLINE_GROUP_CTX, { op: 'remove', path: 'members', value })
    expect(inline.resource.members).toEqual([{ value: JAMES }])
    const apart = patch(group(), GROUP_CTX, { op: 'remove', path: 'members', value })
    expect(apart.membership).toEqual([{ kind: 'remove', values: [BABS] }])
  })

  it('removes nothing given an empty list', () => {
    expect(patch(group(), GROUP_CTX, { op: 'remove', path: 'members', value: [] }).membership).toEqual([])
  })

  it('hands any other member filter over as removeWhere', () => {
    const { membership } = patch(group(), GROUP_CTX, { op: 'remove', path: 'members[type eq "Group"]' })
    expect(membership).toHaveLength(1)
    expect(membership[0]?.kind).toBe('removeWhere')
  })

  it('rejects removing a member sub-attribute with mutability', () => {
    expectScimError(
      () => patch(group(), GROUP_CTX, { op: 'remove', path: 'members[value eq "u1"].type' }),
      'mutability',
    )
    expectScimError(() => patch(group(), GROUP_CTX, { op: 'remove', path: 'members.value' }), 'mutability')
  })
})
