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
  patch,
  rfcFixture,
  TEST_CTX,
  TEST_SCHEMA,
  USER_CTX,
  user,
} from './patch-fixture'

describe('add (RFC 7644 §3.5.2.1)', () => {
  it('adds a single-valued attribute that has no value', () => {
    const { resource, changedAttributes } = patch(user(), USER_CTX, {
      op: 'add',
      path: 'nickName',
      value: 'Babs',
    })
    expect(resource.nickName).toBe('Babs')
    expect(changedAttributes).toEqual(['nickName'])
  })

  it('replaces the value of a single-valued attribute', () => {
    const { resource } = patch(user({ title: 'Tour Guide' }), USER_CTX, {
      op: 'add',
      path: 'title',
      value: 'Guide',
    })
    expect(resource.title).toBe('Guide')
  })

  it('accepts the op in any letter case', () => {
    expect(patch(user(), USER_CTX, { op: 'ADD', path: 'nickName', value: 'Babs' }).resource.nickName).toBe(
      'Babs',
    )
  })

  it('appends to a multi-valued attribute', () => {
    const { resource } = patch(user(), USER_CTX, {
      op: 'add',
      path: 'emails',
      value: [{ value: 'babs@jensen.org', type: 'home' }],
    })
    expect(resource.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ])
  })

  it('makes no change when the list already contains the value', () => {
    const { resource, changedAttributes } = patch(user(), USER_CTX, {
      op: 'add',
      path: 'emails',
      value: [{ value: 'bjensen@example.com', type: 'work', primary: 'True' }],
    })
    expect(resource.emails).toEqual(user().emails)
    expect(changedAttributes).toEqual([])
  })

  it('moves primary to the added element (RFC 7643 §2.4)', () => {
    const { resource } = patch(user(), USER_CTX, {
      op: 'add',
      path: 'emails',
      value: { value: 'babs@jensen.org', type: 'home', primary: true },
    })
    expect(resource.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ])
  })

  it('merges into a complex attribute', () => {
    const { resource } = patch(user(), USER_CTX, { op: 'add', path: 'name', value: { middleName: 'Jane' } })
    expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' })
  })

  it('adds a sub-attribute', () => {
    const { resource, changedAttributes } = patch(user(), USER_CTX, {
      op: 'add',
      path: 'name.honorificPrefix',
      value: 'Ms.',
    })
    expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen', honorificPrefix: 'Ms.' })
    expect(changedAttributes).toEqual(['name'])
  })

  it('RFC 7644 §3.5.2.1 — add without path (value names attributes in any case)', () => {
    const { resource, changedAttributes } = applyPatch(
      user(),
      rfcFixture('rfc7644-3.5.2.1-add-without-path').Operations,
      USER_CTX,
    )
    expect(resource.nickName).toBe('Babs')
    expect(resource.emails).toContainEqual({ value: 'babs@jensen.org', type: 'home' })
    expect(changedAttributes.sort()).toEqual(['emails', 'nickName'])
  })

  it('adds an extension attribute, creating the extension object and listing its URN in schemas', () => {
    const { resource, changedAttributes } = patch(user(), USER_CTX, {
      op: 'add',
      path: `${ENTERPRISE}:employeeNumber`,
      value: '701984',
    })
    expect(resource[ENTERPRISE]).toEqual({ employeeNumber: '701984' })
    expect(resource.schemas).toEqual([USER_SCHEMA, ENTERPRISE])
    expect(changedAttributes).toEqual([`${ENTERPRISE}:employeeNumber`])
  })

  it('creates the element a value filter describes when none matches', () => {
    const { resource } = patch(user(), USER_CTX, {
      op: 'add',
      path: 'phoneNumbers[type eq "mobile"].value',
      value: '+1 555 0100',
    })
    expect(resource.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }])
  })

  it('coerces the values it assigns', () => {
    expect(patch(user(), USER_CTX, { op: 'add', path: 'active', value: 'False' }).resource.active).toBe(false)
    expectScimError(() => patch(user(), USER_CTX, { op: 'add', path: 'active', value: 'no' }), 'invalidValue')
  })

  it('clears the target when the value is "" or null', () => {
    expect(
      patch(user({ title: 'x' }), USER_CTX, { op: 'add', path: 'title', value: '' }).resource,
    ).not.toHaveProperty('title')
    expect(
      patch(user({ title: 'x' }), USER_CTX, { op: 'add', path: 'title', value: null }).resource,
    ).not.toHaveProperty('title')
  })

  it('adds nothing to a list given null or []', () => {
    for (const value of [null, []]) {
      const { resource, changedAttributes } = patch(user(), USER_CTX, { op: 'add', path: 'emails', value })
      expect(resource.emails).toEqual(user().emails)
      expect(changedAttributes).toEqual([])
    }
  })

  it('may add an immutable attribute that has no value, but not change it (RFC 7644 §3.5.2)', () => {
    const first = patch(user(), TEST_CTX, { op: 'add', path: 'badge', value: 'B-1' }).resource
    expect(first[TEST_SCHEMA]).toEqual({ badge: 'B-1' })
    expect(patch(first, TEST_CTX, { op: 'add', path: 'badge', value: 'B-1' }).changedAttributes).toEqual([])
    expectScimError(() => patch(first, TEST_CTX, { op: 'add', path: 'badge', value: 'B-2' }), 'mutability')
  })

  it.each(['id', 'meta', 'meta.created', 'groups'])(
    'rejects an explicit path to readOnly %s with mutability',
    (path) => {
      expectScimError(() => patch(user(), USER_CTX, { op: 'add', path, value: 'x' }), 'mutability')
    },
  )

  it('rejects a missing value with invalidSyntax', () => {
    expectScimError(() => patch(user(), USER_CTX, { op: 'add', path: 'title' }), 'invalidSyntax')
  })

  it('rejects an unknown attribute path with invalidPath', () => {
    expectScimError(() => patch(user(), USER_CTX, { op: 'add', path: 'shoeSize', value: 42 }), 'invalidPath')
  })

  it('rejects a path-less value that is not an object with invalidValue', () => {
    expectScimError(() => patch(user(), USER_CTX, { op: 'add', value: 'Babs' }), 'invalidValue')
  })

  it('never modifies its input', () => {
    const input = user()
    const snapshot = structuredClone(input)
    patch(
      input,
      USER_CTX,
      { op: 'add', path: 'name.middleName', value: 'Jane' },
      { op: 'add', path: 'emails', value: [] },
    )
    expect(input).toEqual(snapshot)
  })
})

describe('add to members (RFC 7644 §3.5.2.1)', () => {
  it('RFC 7644 §3.5.2.1 — add members, stored in the resource: display and $ref are not kept', () => {
    const operations = rfcFixture('rfc7644-3.5.2.1-add-members').Operations
    const { resource, changedAttributes } = applyPatch(group(), operations, INLINE_GROUP_CTX)
    expect(resource.members).toEqual([{ value: BABS }])
    expect(changedAttributes).toEqual(['members'])
  })

  it('adding an existing member (by value) changes nothing', () => {
    const stored = group({ members: [{ value: BABS, type: 'User' }] })
    const { changedAttributes } = patch(stored, INLINE_GROUP_CTX, {
      op: 'add',
      path: 'members',
      value: [{ value: BABS, display: 'Babs Jensen' }],
    })
    expect(changedAttributes).toEqual([])
  })

  it('RFC 7644 §3.5.2.1 — add members, stored apart: one membership change', () => {
    const operations = rfcFixture('rfc7644-3.5.2.1-add-members').Operations
    const { resource, changedAttributes, membership } = applyPatch(group(), operations, GROUP_CTX)
    expect(resource).toEqual(group())
    expect(membership).toEqual([{ kind: 'add', members: [{ value: BABS }] }])
    expect(changedAttributes).toEqual(['members'])
  })

  it('keeps a member type, in canonical case', () => {
    const { membership } = patch(group(), GROUP_CTX, {
      op: 'add',
      path: 'members',
      value: [{ value: 'g2', type: 'group' }],
    })
    expect(membership).toEqual([{ kind: 'add', members: [{ value: 'g2', type: 'Group' }] }])
  })

  it.each([
    [[{ display: 'x' }]],
    [[{ value: '' }]],
    [[{ value: 42 }]],
    [['']],
    [[42]],
    [[{ value: 'u1', type: 'Robot' }]],
  ])('rejects malformed members %j with invalidValue', (value) => {
    expectScimError(() => patch(group(), GROUP_CTX, { op: 'add', path: 'members', value }), 'invalidValue')
  })

  it('reads a bare string, or a list of them, as member ids (Microsoft reference collection)', () => {
    for (const [value, ids] of [
      ['u1', ['u1']],
      [
        ['u1', 'u2'],
        ['u1', 'u2'],
      ],
    ] as const) {
      const { membership } = patch(group(), GROUP_CTX, { op: 'add', path: 'members', value })
      expect(membership).toEqual([{ kind: 'add', members: ids.map((id) => ({ value: id })) }])
    }
  })

  it('rejects a filtered add on members stored apart with mutability (members are immutable)', () => {
    expectScimError(
      () => patch(group(), GROUP_CTX, { op: 'add', path: 'members[value eq "u1"]', value: { value: 'u1' } }),
      'mutability',
    )
  })
})
