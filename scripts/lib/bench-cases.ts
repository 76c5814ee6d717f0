/**
 * The requests the benchmark times: the lookups identity providers send before every create
 * (Okta, Entra), incremental sync, paging, GET by id and a one-member group PATCH.
 */
import type { TimedAnswer } from './bench-client'
import {
  externalIdOf,
  type Fixture,
  GROUP_SIZE,
  groupNameOf,
  RECENT_CHANGES,
  userNameOf,
  workEmailOf,
} from './bench-load'

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
/** The page size of the list cases (the server's default page size). */
export const PAGE = 100

/**
 * `target`: the issue's target applies (median within 1.5× of the smaller size's); `reported`:
 * timed to be reported honestly (startIndex tail, unfiltered count, `co`), with why in `note`.
 */
export type Scaling = 'target' | 'reported'

export interface Request {
  method: string
  path: string
  body?: unknown
}

export interface BenchCase {
  key: string
  label: string
  scaling: Scaling
  /** A read: the target asks for exactly one D1 round trip. */
  read: boolean
  /** How it is answered, for the report. */
  note: string
  /** The request of the `s`-th call (warm-ups first, from 0); `pick(n)` is a seeded random 0..n-1. */
  request(s: number, pick: (n: number) => number): Request
  /** Undefined when the answer is right, else what is wrong with it. */
  check(answer: TimedAnswer): string | undefined
}

const q = (filter: string) => encodeURIComponent(filter)

interface ListAnswer {
  totalResults?: number
  itemsPerPage?: number
  nextCursor?: string
}

/** A 200 ListResponse with `total` results (when given) and `items` on the page (when given). */
const listed =
  (total: number | undefined, items?: number) =>
  (answer: TimedAnswer): string | undefined => {
    if (answer.status !== 200) return `status ${answer.status}: ${answer.body.slice(0, 200)}`
    const list = answer.json as ListAnswer
    if (total !== undefined && list.totalResults !== total)
      return `totalResults ${list.totalResults}, not ${total}`
    if (items !== undefined && list.itemsPerPage !== items)
      return `itemsPerPage ${list.itemsPerPage}, not ${items}`
    return undefined
  }

const status = (expected: number) => (answer: TimedAnswer) =>
  answer.status === expected ? undefined : `status ${answer.status}: ${answer.body.slice(0, 200)}`

/** The cursor pages of the set, found by walking it before timing (see bench-cursor.ts). */
export interface CursorEnds {
  /** The `cursor` value that fetches the last page of PAGE users. */
  lastPageCursor: string
  lastPageItems: number
}

export function benchCases(f: Fixture, ends: CursorEnds, reserveStart: number): BenchCase[] {
  const n = f.users
  const group = (pick: (n: number) => number) => pick(f.groupIds.length)
  const twoGroups = Math.min(10 * GROUP_SIZE, f.bigGroupMembers)
  return [
    {
      key: 'userName',
      label: 'userName eq',
      scaling: 'target',
      read: true,
      note: 'index (tenant, user_name_folded)',
      request: (_, pick) => ({
        method: 'GET',
        path: `/Users?filter=${q(`userName eq "${userNameOf(pick(n))}"`)}`,
      }),
      check: listed(1),
    },
    {
      key: 'externalId',
      label: 'externalId eq',
      scaling: 'target',
      read: true,
      note: 'index (tenant, external_id)',
      request: (_, pick) => ({
        method: 'GET',
        path: `/Users?filter=${q(`externalId eq "${externalIdOf(pick(n))}"`)}`,
      }),
      check: listed(1),
    },
    {
      key: 'workEmail',
      label: 'emails[type eq "work"].value eq',
      scaling: 'target',
      read: true,
      note: 'user_emails index (tenant, value_folded)',
      request: (_, pick) => ({
        method: 'GET',
        path: `/Users?filter=${q(`emails[type eq "work"].value eq "${workEmailOf(pick(n))}"`)}`,
      }),
      check: listed(1),
    },
    {
      key: 'groupDisplayName',
      label: 'Groups displayName eq (excl. members)',
      scaling: 'target',
      read: true,
      note: 'index (tenant, display_name_folded)',
      request: (_, pick) => ({
        method: 'GET',
        path: `/Groups?filter=${q(`displayName eq "${groupNameOf(group(pick))}"`)}&excludedAttributes=members`,
      }),
      check: listed(1),
    },
    {
      key: 'membership',
      label: `id eq g and members[value eq u] (${f.bigGroupMembers}-member group)`,
      scaling: 'target',
      read: true,
      note: 'group primary key, then membership row',
      request: (_, pick) => ({
        method: 'GET',
        path: `/Groups?filter=${q(
          `id eq "${f.bigGroupId}" and members[value eq "${f.userIds[pick(f.bigGroupMembers)]}"]`,
        )}&excludedAttributes=members`,
      }),
      check: listed(1),
    },
    {
      key: 'lastModified',
      label: `meta.lastModified gt (${RECENT_CHANGES} recent)`,
      scaling: 'target',
      read: true,
      note: 'index (tenant, last_modified) range',
      request: () => ({ method: 'GET', path: `/Users?filter=${q(`meta.lastModified gt "${f.since}"`)}` }),
      check: listed(RECENT_CHANGES),
    },
    {
      key: 'getById',
      label: 'GET /Users/{id}',
      scaling: 'target',
      read: true,
      note: 'primary key; user in 0 to 2 groups',
      request: (_, pick) => ({ method: 'GET', path: `/Users/${f.userIds[pick(n)]}` }),
      check: status(200),
    },
    {
      key: 'getByIdMember',
      label: 'GET /Users/{id}, a member of 2 groups',
      scaling: 'target',
      read: true,
      note: 'primary key; its 2 groups',
      // Users 0..199 are in the big group and in one of groups 0..9 at every size, so each size
      // reads the same two memberships (random users at 100k are mostly in no group).
      request: (_, pick) => ({ method: 'GET', path: `/Users/${f.userIds[pick(twoGroups)]}` }),
      check: (answer) => {
        const groups = (answer.json as { groups?: unknown[] } | undefined)?.groups?.length
        return status(200)(answer) ?? (groups === 2 ? undefined : `${groups} groups, not 2`)
      },
    },
    {
      key: 'cursorFirst',
      label: `cursor first page (count=${PAGE})`,
      scaling: 'target',
      read: true,
      note: 'keyset on (tenant, created, id)',
      request: () => ({ method: 'GET', path: `/Users?cursor=&count=${PAGE}` }),
      check: listed(undefined, PAGE),
    },
    {
      key: 'cursorLast',
      label: `cursor last page (count=${PAGE})`,
      scaling: 'target',
      read: true,
      note: 'keyset on (tenant, created, id)',
      request: () => ({ method: 'GET', path: `/Users?cursor=${q(ends.lastPageCursor)}&count=${PAGE}` }),
      check: listed(undefined, ends.lastPageItems),
    },
    {
      key: 'startIndexFirst',
      label: `startIndex=1 page (count=${PAGE})`,
      scaling: 'reported',
      read: true,
      note: 'OFFSET 0; not in the target',
      request: () => ({ method: 'GET', path: `/Users?startIndex=1&count=${PAGE}` }),
      check: listed(n, PAGE),
    },
    {
      key: 'startIndexLast',
      label: `startIndex=${n - PAGE + 1} tail page (count=${PAGE})`,
      scaling: 'reported',
      read: true,
      note: 'OFFSET skips N−100 index entries',
      request: () => ({ method: 'GET', path: `/Users?startIndex=${n - PAGE + 1}&count=${PAGE}` }),
      check: listed(n, PAGE),
    },
    {
      key: 'countOnly',
      label: 'unfiltered totalResults (count=0)',
      scaling: 'reported',
      read: true,
      note: 'unfiltered totalResults only',
      request: () => ({ method: 'GET', path: '/Users?count=0' }),
      check: listed(n, 0),
    },
    {
      key: 'contains',
      label: 'userName co (scan)',
      scaling: 'reported',
      read: true,
      note: 'full scan: co cannot use an index',
      request: (_, pick) => ({
        method: 'GET',
        path: `/Users?filter=${q(`userName co "user${pick(n)}@"`)}`,
      }),
      check: listed(1),
    },
    {
      key: 'groupPatchAdd',
      label: `PATCH add 1 member to the ${f.bigGroupMembers}-member group`,
      scaling: 'target',
      read: false,
      note: '2 round trips: read, then one batch',
      // Each sample adds a user not yet in the group: a real insert, never a no-op.
      request: (s) => ({
        method: 'PATCH',
        path: `/Groups/${f.bigGroupId}`,
        body: {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: f.userIds[reserveStart + s] }] }],
        },
      }),
      check: status(204),
    },
  ]
}
