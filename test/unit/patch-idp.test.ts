import { describe, expect, it } from 'vitest'
import { applyPatch } from '../../src/patch/apply-patch'
import { USER_SCHEMA } from '../../src/schema/urns'
import { ENTERPRISE, GROUP_CTX, group, INLINE_GROUP_CTX, USER_CTX, user } from './patch-fixture'

// Every PATCH body of ../shared/idp/okta.md and entra.md, replayed as sent (ids as the docs shorten them).
const PO = ['urn:ietf:params:scim:api:messages:2.0:PatchOp']
const body = (Operations: unknown[]) => ({ schemas: PO, Operations })

describe('Okta (okta.md §2)', () => {
  it('Okta — Deactivate user (path-less replace, active false)', () => {
    const request = body([{ op: 'replace', value: { active: false } }])
    const { resource, changedAttributes } = applyPatch(user(), request.Operations, USER_CTX)
    expect(resource.active).toBe(false)
    expect(changedAttributes).toEqual(['active'])
  })

  it('Okta — Reactivate user (path-less replace, active true)', () => {
    const request = body([{ op: 'replace', value: { active: true } }])
    expect(applyPatch(user({ active: false }), request.Operations, USER_CTX).resource.active).toBe(true)
  })

  it('Okta — Rename group (path-less replace with the readOnly id)', () => {
    const stored = group()
    const request = body([{ op: 'replace', value: { id: stored.id, displayName: 'Test SCIMv2' } }])
    const { resource, changedAttributes, membership } = applyPatch(stored, request.Operations, GROUP_CTX)
    expect(resource.displayName).toBe('Test SCIMv2')
    expect(resource.id).toBe(stored.id)
    expect(changedAttributes).toEqual(['displayName'])
    expect(membership).toEqual([])
  })

  it('Okta — Rename group sent again with the same name changes nothing', () => {
    const stored = group({ displayName: 'Test SCIMv2' })
    const request = body([{ op: 'replace', value: { id: stored.id, displayName: 'Test SCIMv2' } }])
    expect(applyPatch(stored, request.Operations, GROUP_CTX).changedAttributes).toEqual([])
  })

  it('Okta — Membership (remove members[value eq …], add members with display)', () => {
    const request = body([
      { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
      {
        op: 'add',
        path: 'members',
        value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }],
      },
    ])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'remove', values: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] },
      { kind: 'add', members: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173' }] },
    ])
    const inline = group({ members: [{ value: '89bb1940-b905-4575-9e7f-6f887cfb368e' }] })
    expect(applyPatch(inline, request.Operations, INLINE_GROUP_CTX).resource.members).toEqual([
      { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173' },
    ])
  })

  it('Okta — Full push (replace members)', () => {
    const request = body([
      {
        op: 'replace',
        path: 'members',
        value: [
          { value: 'u1', display: 'one@okta.local' },
          { value: 'u2', display: 'two@okta.local' },
        ],
      },
    ])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'removeAll' },
      { kind: 'add', members: [{ value: 'u1' }, { value: 'u2' }] },
    ])
  })
})

describe('Entra ID (entra.md "Request shapes")', () => {
  it('Entra — Update (multi-valued + nested)', () => {
    const request = body([
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ])
    const { resource, changedAttributes } = applyPatch(user(), request.Operations, USER_CTX)
    expect(resource.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }])
    expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'updatedFamilyName' })
    expect(changedAttributes).toEqual(['name', 'emails'])
  })

  it('Entra — Update (single-valued)', () => {
    const request = body([
      { op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' },
    ])
    expect(applyPatch(user(), request.Operations, USER_CTX).resource.userName).toBe(
      '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com',
    )
  })

  it('Entra — Disable user (tutorial, boolean)', () => {
    const request = { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: PO }
    expect(applyPatch(user(), request.Operations, USER_CTX).resource.active).toBe(false)
  })

  it('Entra — Rename group', () => {
    const request = body([
      { op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' },
    ])
    const { resource, membership } = applyPatch(group(), request.Operations, GROUP_CTX)
    expect(resource.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName')
    expect(membership).toEqual([])
  })

  it('Entra — Add members ("$ref": null)', () => {
    const request = body([
      { op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
    ])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'add', members: [{ value: 'f648f8d5ea4e4cd38e9c' }] },
    ])
    expect(applyPatch(group(), request.Operations, INLINE_GROUP_CTX).resource.members).toEqual([
      { value: 'f648f8d5ea4e4cd38e9c' },
    ])
  })

  it('Entra — Remove members (default, value list with "$ref": null)', () => {
    const request = body([
      { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
    ])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'remove', values: ['f648f8d5ea4e4cd38e9c'] },
    ])
    const inline = group({ members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'other' }] })
    expect(applyPatch(inline, request.Operations, INLINE_GROUP_CTX).resource.members).toEqual([
      { value: 'other' },
    ])
  })

  it('Entra — Remove members (flag)', () => {
    const request = body([{ op: 'remove', path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'remove', values: ['7f4bc1a3-285e-48ae-8202-5accb43efb0e'] },
    ])
  })

  it('Entra — Add of an existing member is idempotent (quirk 5)', () => {
    const inline = group({ members: [{ value: 'u1' }] })
    const request = body([{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }] }])
    expect(applyPatch(inline, request.Operations, INLINE_GROUP_CTX).changedAttributes).toEqual([])
  })

  it('Entra — Path members without value removes all (quirk 5)', () => {
    const request = body([{ op: 'Remove', path: 'members' }])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([{ kind: 'removeAll' }])
  })

  it('Entra — Ignores unknown keys inside an operation ("name": "addMember", quirk 1)', () => {
    const request = body([
      { name: 'addMember', op: 'add', path: 'members', value: [{ value: 'u1', display: 'x' }] },
    ])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'add', members: [{ value: 'u1' }] },
    ])
  })

  describe('Manager', () => {
    const managerOf = (resource: Record<string, unknown>) =>
      (resource[ENTERPRISE] as { manager?: unknown })?.manager

    it('Entra — Manager (tutorial Example 5, bare path, list with $ref)', () => {
      const request = body([
        {
          op: 'Add',
          path: 'manager',
          value: [{ $ref: 'http://example.com/scim/Users/mid-1', value: 'mid-1' }],
        },
      ])
      const { resource, changedAttributes } = applyPatch(user(), request.Operations, USER_CTX)
      expect(resource[ENTERPRISE]).toEqual({ manager: { value: 'mid-1' } })
      expect(resource.schemas).toEqual([USER_SCHEMA, ENTERPRISE])
      expect(changedAttributes).toEqual([`${ENTERPRISE}:manager`])
    })

    it('Entra — Manager (validator, plain string, URN path)', () => {
      const request = body([{ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mid-1' }])
      expect(managerOf(applyPatch(user(), request.Operations, USER_CTX).resource)).toEqual({ value: 'mid-1' })
    })

    it('Entra — Manager change (validator, replace)', () => {
      const stored = applyPatch(
        user(),
        [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mid-1' }],
        USER_CTX,
      ).resource
      const request = body([{ op: 'replace', path: `${ENTERPRISE}:manager`, value: 'mid-2' }])
      expect(managerOf(applyPatch(stored, request.Operations, USER_CTX).resource)).toEqual({ value: 'mid-2' })
    })

    it('Entra — Manager remove (validator, replace with "")', () => {
      const stored = applyPatch(
        user(),
        [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mid-1' }],
        USER_CTX,
      ).resource
      const request = body([{ op: 'replace', path: `${ENTERPRISE}:manager`, value: '' }])
      const { resource, changedAttributes } = applyPatch(stored, request.Operations, USER_CTX)
      expect(resource).not.toHaveProperty(ENTERPRISE)
      expect(resource.schemas).toEqual([USER_SCHEMA])
      expect(changedAttributes).toEqual([`${ENTERPRISE}:manager`])
    })

    it('Entra — Manager as a { value } object (quirk 9)', () => {
      const request = body([{ op: 'Add', path: 'manager', value: { value: 'SuzzyQ' } }])
      expect(managerOf(applyPatch(user(), request.Operations, USER_CTX).resource)).toEqual({
        value: 'SuzzyQ',
      })
    })
  })

  describe('Null/empty updates (validator)', () => {
    const full = () =>
      user({
        title: 'Tour Guide',
        phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
        [ENTERPRISE]: { department: 'Tours' },
        schemas: [USER_SCHEMA, ENTERPRISE],
      })

    it('Entra — Null/empty updates (replace title "" then null)', () => {
      const request = body([
        { op: 'replace', path: 'title', value: '' },
        { op: 'replace', path: 'title', value: null },
      ])
      const { resource, changedAttributes } = applyPatch(full(), request.Operations, USER_CTX)
      expect(resource).not.toHaveProperty('title')
      expect(changedAttributes).toEqual(['title'])
    })

    it.each([[''], [null]])(
      'Entra — Null/empty updates (name.givenName, enterprise department, phoneNumbers mobile value as %j)',
      (value) => {
        const request = body([
          { op: 'replace', path: 'name.givenName', value },
          { op: 'replace', path: `${ENTERPRISE}:department`, value },
          { op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value },
        ])
        const { resource } = applyPatch(full(), request.Operations, USER_CTX)
        expect(resource.name).toEqual({ familyName: 'Jensen' })
        expect(resource).not.toHaveProperty(ENTERPRISE)
        expect(resource).not.toHaveProperty('phoneNumbers')
        expect(resource.schemas).toEqual([USER_SCHEMA])
      },
    )

    it('Entra — Null/empty updates on attributes that have no value are 2xx no-ops', () => {
      const request = body([
        { op: 'replace', path: 'nickName', value: null },
        { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '' },
      ])
      expect(applyPatch(user(), request.Operations, USER_CTX).changedAttributes).toEqual([])
    })
  })

  it('Entra — valuePath on users without an email or phone yet creates one element per filter (quirk 4)', () => {
    const request = body([
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'new@contoso.com' },
      { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Microsoft Way' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
    ])
    const { resource } = applyPatch(user({ emails: undefined }), request.Operations, USER_CTX)
    expect(resource.emails).toEqual([{ type: 'work', value: 'new@contoso.com', primary: true }])
    expect(resource.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }])
    expect(resource.addresses).toEqual([
      { type: 'work', streetAddress: '1 Microsoft Way', locality: 'Redmond' },
    ])
  })
})

describe('Entra ID aadOptscim062020 table: both forms', () => {
  it('Entra — Disable user (default, string boolean)', () => {
    const request = body([{ op: 'Replace', path: 'active', value: 'False' }])
    expect(applyPatch(user(), request.Operations, USER_CTX).resource.active).toBe(false)
  })

  it('Entra — Disable user (aadOptscim062020, boolean)', () => {
    const request = body([{ op: 'replace', path: 'active', value: false }])
    expect(applyPatch(user(), request.Operations, USER_CTX).resource.active).toBe(false)
  })

  it('Entra — Re-enable user (string boolean "True", quirk 12)', () => {
    const request = body([{ op: 'Replace', path: 'active', value: 'True' }])
    expect(applyPatch(user({ active: false }), request.Operations, USER_CTX).resource.active).toBe(true)
  })

  it('Entra — Add single-value string (default)', () => {
    const request = body([{ op: 'Add', path: 'nickName', value: 'Babs' }])
    expect(applyPatch(user(), request.Operations, USER_CTX).resource.nickName).toBe('Babs')
  })

  it('Entra — Add single-value string (aadOptscim062020)', () => {
    const request = body([{ op: 'add', path: 'nickName', value: 'Babs' }])
    expect(applyPatch(user(), request.Operations, USER_CTX).resource.nickName).toBe('Babs')
  })

  const replacedMany = {
    displayName: 'Bjfe',
    emails: [{ value: 'Tlvd@contoso.com', type: 'work', primary: true }],
    name: { givenName: 'Kkom', familyName: 'Unua' },
    externalId: 'Kqsd',
    [ENTERPRISE]: { employeeNumber: 'Aklq' },
  }

  it('Entra — Replace many attributes (default, one Replace op per path)', () => {
    const request = body([
      { op: 'Replace', path: 'displayName', value: 'Bjfe' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'Tlvd@contoso.com' },
      { op: 'Replace', path: 'name.givenName', value: 'Kkom' },
      { op: 'Replace', path: 'name.familyName', value: 'Unua' },
      { op: 'Replace', path: 'externalId', value: 'Kqsd' },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Aklq' },
    ])
    const { resource } = applyPatch(user(), request.Operations, USER_CTX)
    expect(resource).toMatchObject(replacedMany)
  })

  it('Entra — Replace many attributes (aadOptscim062020, filtered email + one path-less op)', () => {
    const request = body([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'Tlvd@contoso.com' },
      {
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          externalId: 'Kqsd',
          [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
        },
      },
    ])
    const { resource, changedAttributes } = applyPatch(user(), request.Operations, USER_CTX)
    expect(resource).toMatchObject(replacedMany)
    expect(Object.keys(resource)).not.toContain('name.givenName')
    expect(changedAttributes.sort()).toEqual(
      ['displayName', 'emails', 'externalId', 'name', `${ENTERPRISE}:employeeNumber`].sort(),
    )
  })

  it('Entra — Replace many attributes (path-less value with the extension as an object)', () => {
    const request = body([
      { op: 'replace', value: { [ENTERPRISE]: { employeeNumber: 'Aklq', manager: 'mid' } } },
    ])
    expect(applyPatch(user(), request.Operations, USER_CTX).resource[ENTERPRISE]).toEqual({
      employeeNumber: 'Aklq',
      manager: { value: 'mid' },
    })
  })

  it('Entra — Remove group member (default)', () => {
    const request = body([{ op: 'Remove', path: 'members', value: [{ value: 'u1091' }] }])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'remove', values: ['u1091'] },
    ])
  })

  it('Entra — Remove group member (aadOptscim062020)', () => {
    const request = body([{ op: 'remove', path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }])
    expect(applyPatch(group(), request.Operations, GROUP_CTX).membership).toEqual([
      { kind: 'remove', values: ['7f4bc1a3-285e-48ae-8202-5accb43efb0e'] },
    ])
  })
})
