import type { EventOperation } from '../db/events'
import { etagOf } from '../http/etag'
import { PATCH_OP } from '../schema/urns'

const PROV = 'urn:ietf:params:scim:event:prov:'

/** One row of the `scim_events` outbox, as the delivery reads it. */
export interface OutboxEvent {
  readonly id: string
  readonly tenantId: string
  readonly resourceType: 'User' | 'Group'
  readonly resourceId: string
  readonly operation: EventOperation
  readonly attributes: readonly string[] | null
  readonly memberIds: readonly string[] | null
  readonly version: number | null
  readonly occurredAt: string
}

/**
 * The claims of a SCIM Security Event Token (RFC 9967 §2, RFC 8417 §2.2), unsigned: it travels
 * only through a queue of the same Cloudflare account. `jti` is the outbox row id, stable across
 * re-sends, for de-duplication; `toe` is when the change committed, `iat` when this copy was sent.
 * `d1_bookmark` is a private claim (RFC 7519 §4.3): a D1 Sessions API bookmark at least as new as
 * the change's commit, so a reader opening `withSession(d1_bookmark)` on a replica sees the change.
 */
export interface SecurityEventToken {
  readonly jti: string
  readonly iss: string
  readonly iat: number
  readonly toe: number
  readonly sub_id: { readonly format: 'scim'; readonly uri: string }
  readonly events: Readonly<Record<string, SetEventPayload>>
  readonly d1_bookmark?: string
}

/** The payload of one SCIM event (RFC 9967 §2.2–2.4). */
export interface SetEventPayload {
  readonly attributes?: readonly string[]
  readonly version?: string
  readonly data?: {
    readonly schemas: readonly string[]
    readonly Operations: readonly {
      readonly op: 'add' | 'remove'
      readonly path: string
      readonly value?: readonly { readonly value: string }[]
    }[]
  }
}

/** The event URI and payload of a row (RFC 9967 §2.4): notices list attributes, membership deltas carry the PATCH. */
function eventOf(row: OutboxEvent): [string, SetEventPayload] {
  const version = row.version === null ? {} : { version: etagOf(row.version) }
  const changed = { attributes: row.attributes ?? [], ...version }
  const members = row.memberIds ?? []
  switch (row.operation) {
    case 'created':
      return [`${PROV}create:notice`, changed]
    case 'replaced':
      return [`${PROV}put:notice`, changed]
    case 'patched':
      return [`${PROV}patch:notice`, changed]
    // RFC 9967 §2.2: version and attributes are common to all events, so the other attributes a
    // (de)activating request changed are not lost.
    case 'deactivated':
      return [`${PROV}deactivate`, changed]
    case 'reactivated':
      return [`${PROV}activate`, changed]
    case 'deleted':
      return [`${PROV}delete`, {}]
    // The user's computed `groups` became empty (a group write removed its last membership): a
    // notice naming the attribute, without a version, since the user's own version did not move.
    case 'removedFromAllGroups':
      return [`${PROV}patch:notice`, changed]
    // The exact membership delta as the PATCH that applies it (RFC 9967 Figure 6, RFC 7644 §3.5.2).
    case 'membersAdded':
      return [
        `${PROV}patch:full`,
        {
          ...version,
          data: {
            schemas: [PATCH_OP],
            Operations: [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }],
          },
        },
      ]
    case 'membersRemoved':
      return [
        `${PROV}patch:full`,
        {
          ...version,
          data: {
            schemas: [PATCH_OP],
            Operations: members.map((id) => ({
              op: 'remove',
              path: `members[value eq ${JSON.stringify(id)}]`,
            })),
          },
        },
      ]
    default: {
      const unknown: never = row.operation
      throw new Error(`No SCIM event for operation ${String(unknown)}`)
    }
  }
}

/** A change event row as the Security Event Token payload sent to the SaaS application (RFC 9967 §2). */
export function setPayload(
  row: OutboxEvent,
  issuer: string,
  issuedAt: Date,
  bookmark: string | null = null,
): SecurityEventToken {
  const [uri, payload] = eventOf(row)
  return {
    jti: row.id,
    iss: issuer,
    iat: Math.floor(issuedAt.getTime() / 1000),
    toe: Math.floor(Date.parse(row.occurredAt) / 1000),
    sub_id: { format: 'scim', uri: `/${row.resourceType}s/${row.resourceId}` },
    events: { [uri]: payload },
    ...(bookmark === null ? {} : { d1_bookmark: bookmark }),
  }
}
