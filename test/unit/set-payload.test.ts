import { describe, expect, it } from 'vitest'
import type { EventOperation } from '../../src/db/events'
import { type OutboxEvent, setPayload } from '../../src/ops/set-payload'

const PROV = 'urn:ietf:params:scim:event:prov:'
const ISS = 'https://acme.scim.example.com/scim/v2'
const SENT = new Date('2026-05-14T10:00:05.900Z')

const row = (operation: EventOperation, extra: Partial<OutboxEvent> = {}): OutboxEvent => ({
  id: '6f1c2b0e-5d4a-4e8b-9a2f-0c1d2e3f4a5b',
  tenantId: 'acme',
  resourceType: 'User',
  resourceId: '2819c223-7f76-453a-919d-413861904646',
  operation,
  attributes: ['userName', 'name'],
  memberIds: null,
  version: 3,
  occurredAt: '2026-05-14T10:00:00.500Z',
  ...extra,
})

describe('setPayload (RFC 9967 §2)', () => {
  it('carries jti = the row id, iss, iat, toe and a scim sub_id, never `sub`', () => {
    const token = setPayload(row('patched'), ISS, SENT)
    expect(token).toEqual({
      jti: '6f1c2b0e-5d4a-4e8b-9a2f-0c1d2e3f4a5b',
      iss: ISS,
      iat: 1778752805,
      toe: 1778752800,
      sub_id: { format: 'scim', uri: '/Users/2819c223-7f76-453a-919d-413861904646' },
      events: { [`${PROV}patch:notice`]: { attributes: ['userName', 'name'], version: 'W/"3"' } },
    })
    expect(token).not.toHaveProperty('sub')
  })

  it('carries the D1 bookmark of the commit as the private claim d1_bookmark, when there is one', () => {
    const bookmark = '0000006f-00000004-00004fd6-b6ca3de9d5d66f4bc6e6c9ca8dc6c9b0'
    expect(setPayload(row('created'), ISS, SENT, bookmark).d1_bookmark).toBe(bookmark)
    expect(setPayload(row('created'), ISS, SENT, null)).not.toHaveProperty('d1_bookmark')
  })

  it.each([
    ['created', 'create:notice'],
    ['replaced', 'put:notice'],
    ['patched', 'patch:notice'],
    ['deactivated', 'deactivate'],
    ['reactivated', 'activate'],
  ] as const)('sends %s as %s with the changed attributes and the ETag version', (operation, event) => {
    expect(setPayload(row(operation), ISS, SENT).events).toEqual({
      [`${PROV}${event}`]: { attributes: ['userName', 'name'], version: 'W/"3"' },
    })
  })

  it('gives a notice an empty attribute list rather than none: exactly one of data and attributes', () => {
    expect(setPayload(row('patched', { attributes: null }), ISS, SENT).events).toEqual({
      [`${PROV}patch:notice`]: { attributes: [], version: 'W/"3"' },
    })
  })

  it('sends a delete without payload attributes and no full/notice qualifier (§2.4.4)', () => {
    expect(setPayload(row('deleted', { version: null, attributes: null }), ISS, SENT).events).toEqual({
      [`${PROV}delete`]: {},
    })
  })

  it('sends membership deltas as patch:full with the PatchOp that applies them (§2.4.2)', () => {
    const group = { resourceType: 'Group' as const, resourceId: 'g1', attributes: ['members'], version: 7 }
    const added = setPayload(row('membersAdded', { ...group, memberIds: ['u1', 'u2'] }), ISS, SENT)
    expect(added.sub_id.uri).toBe('/Groups/g1')
    expect(added.events).toEqual({
      [`${PROV}patch:full`]: {
        version: 'W/"7"',
        data: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }],
        },
      },
    })
    const removed = setPayload(row('membersRemoved', { ...group, memberIds: ['u1', 'a"b'] }), ISS, SENT)
    expect(removed.events[`${PROV}patch:full`]?.data).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'remove', path: 'members[value eq "a\\"b"]' },
      ],
    })
  })
})
