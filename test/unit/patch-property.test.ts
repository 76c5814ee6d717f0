import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ScimError } from '../../src/http/scim-error'
import { applyPatch, type PatchContext } from '../../src/patch/apply-patch'
import { isEqualValue, normalizeResource } from '../../src/schema/coerce'
import { ENTERPRISE, GROUP_CTX, group, INLINE_GROUP_CTX, USER_CTX, user } from './patch-fixture'

// Real attribute paths (valid, readOnly, filtered, URN-qualified) mixed with junk.
const USER_PATHS = [
  'userName',
  'nickName',
  'NICKNAME',
  'active',
  'title',
  'name',
  'name.givenName',
  'name.familyName',
  'emails',
  'emails.value',
  'emails.primary',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[type eq "home"].primary',
  'emails[primary eq true].type',
  'emails[value co "@"].type',
  'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].streetAddress',
  'x509Certificates',
  'password',
  'externalId',
  'manager',
  'manager.value',
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:department`,
  'urn:ietf:params:scim:schemas:core:2.0:User:displayName',
  'id',
  'meta',
  'meta.created',
  'groups',
  'schemas',
  'shoeSize',
  'emails[',
  'emails[type eq]',
  'name..givenName',
  'userName.sub',
  '',
]
const GROUP_PATHS = [
  'displayName',
  'externalId',
  'members',
  'members.value',
  'members[value eq "u1"]',
  'members[value eq "u1"].display',
  'members[type eq "User"]',
  'members[display co "a"]',
  'id',
  'meta',
  'foo',
  'members[',
]

const scalar = fc.oneof(
  fc.constantFrom('True', 'False', 'true', '', 'a@example.com', 'aGVsbG8=', '2024-01-01T00:00:00Z', 'u1'),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(null),
)
const element = fc.dictionary(
  fc.constantFrom('value', 'type', 'primary', 'display', '$ref', 'givenName', 'Value', 'junk'),
  scalar,
  { maxKeys: 4 },
)
// Values IdPs really send, so that many runs get past validation and exercise the merge rules.
const plausible = fc.constantFrom<unknown>(
  'Babs',
  'False',
  true,
  '',
  null,
  'mid',
  { value: 'mid' },
  { givenName: 'Babs', familyName: 'Jensen' },
  [{ value: 'b@example.com', type: 'home' }],
  [{ value: 'c@example.com', type: 'work', primary: true }],
  [{ value: 'u1', $ref: null }],
  [{ value: 'u3', display: 'x', type: 'User' }],
  {
    displayName: 'Babs',
    'name.givenName': 'B',
    active: 'True',
    id: 'other',
    [`${ENTERPRISE}:department`]: 'D',
  },
  { members: [{ value: 'u4' }], displayName: 'Guides', meta: {} },
)
const value = (paths: readonly string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: plausible },
    scalar,
    element,
    fc.array(fc.oneof(element, scalar), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(...paths, ENTERPRISE),
      fc.oneof(scalar, element, fc.array(element, { maxLength: 2 })),
      {
        maxKeys: 4,
      },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  )
const opName = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('add', 'remove', 'replace', 'Add', 'REPLACE', 'Remove') },
  { weight: 1, arbitrary: fc.constantFrom('move', 5, null) },
)
const operation = (paths: readonly string[]) =>
  fc
    .tuple(
      opName,
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...paths) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      value(paths),
      fc.nat(19),
    )
    // Now and then without a value, and always with Entra's unknown "name" member.
    .map(([op, path, value, n]) =>
      n === 0 ? { op, path, name: 'addMember' } : { op, path, value, name: 'addMember' },
    )
const operations = (paths: readonly string[]) =>
  fc.oneof(
    { weight: 20, arbitrary: fc.array(operation(paths), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.jsonValue({ maxDepth: 1 })) },
  )

/** Attributes the server owns, which no PATCH may change (RFC 7644 §3.5.2). */
const READ_ONLY = ['id', 'meta', 'groups']

function checkPatch(resource: Record<string, unknown>, ops: unknown, ctx: PatchContext) {
  const snapshot = structuredClone(resource)
  let result: ReturnType<typeof applyPatch>
  try {
    result = applyPatch(resource, ops, ctx)
  } catch (error) {
    if (!(error instanceof ScimError)) throw error
    expect(error.status).toBe(400)
    expect(resource).toEqual(snapshot)
    return
  }
  expect(resource).toEqual(snapshot)
  expect(() => normalizeResource(result.resource, ctx.registry, ctx.resourceType, 'replace')).not.toThrow()
  for (const name of READ_ONLY) expect(isEqualValue(result.resource[name], snapshot[name])).toBe(true)
  for (const change of result.membership) {
    if (change.kind === 'add') for (const m of change.members) expect(m.value).not.toBe('')
  }
  if (result.membership.length > 0) expect(result.changedAttributes).toContain('members')
}

describe('PATCH properties (fast-check)', () => {
  const stored = user({ groups: [{ value: 'g1', display: 'Tour Guides' }], title: 'Guide' })

  it('users: only ScimErrors are thrown; a result re-normalises and keeps readOnly attributes', () => {
    fc.assert(
      fc.property(operations(USER_PATHS), (ops) => checkPatch(stored, ops, USER_CTX)),
      { numRuns: 3000 },
    )
  })

  it('groups with members stored apart: the same holds', () => {
    fc.assert(
      fc.property(operations(GROUP_PATHS), (ops) => checkPatch(group(), ops, GROUP_CTX)),
      { numRuns: 1500 },
    )
  })

  it('groups with members in the resource: the same holds', () => {
    const withMembers = group({ members: [{ value: 'u1', type: 'User' }, { value: 'u2' }] })
    fc.assert(
      fc.property(operations(GROUP_PATHS), (ops) => checkPatch(withMembers, ops, INLINE_GROUP_CTX)),
      { numRuns: 1500 },
    )
  })

  it('applying the same add twice changes nothing the second time (RFC 7644 §3.5.2.1)', () => {
    // Without value filters: `add emails[type eq "work"]` with `{type: "home"}` moves the element out of its own filter.
    const addPaths = USER_PATHS.filter((p) => !p.includes('primary') && !p.includes('['))
    fc.assert(
      fc.property(operation(addPaths), fc.constantFrom('add', 'replace'), (op, name) => {
        const ops = [{ ...op, op: name }]
        let once: Record<string, unknown>
        try {
          once = applyPatch(stored, ops, USER_CTX).resource
        } catch (error) {
          if (error instanceof ScimError) return
          throw error
        }
        expect(applyPatch(once, ops, USER_CTX).changedAttributes).toEqual([])
      }),
      { numRuns: 2000 },
    )
  })
})
