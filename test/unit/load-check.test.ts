import { describe, expect, it } from 'vitest'
import { CliError } from '../../scripts/lib/cli-error'
import { parseLoadArgs } from '../../scripts/lib/load-args'
import { runChecks } from '../../scripts/lib/load-check'
import {
  checkAcknowledgedPresent,
  checkCreates,
  checkNoDuplicates,
  checkNotFound,
  checkNothingUnacknowledged,
} from '../../scripts/lib/load-check-existence'
import { acceptableValues, checkFields, checkMembers } from '../../scripts/lib/load-check-fields'
import { checkLookups, checkPreconditions } from '../../scripts/lib/load-check-requests'
import { checkVersions } from '../../scripts/lib/load-check-versions'
import { type FinalState, memberField } from '../../scripts/lib/load-fields'
import type { Op } from '../../scripts/lib/load-history'
import { planStorm } from '../../scripts/lib/load-plan'
import { countAnswer, newStats, summarize } from '../../scripts/lib/load-stats'

/** A request on user u1 from `start` to `end` ms, answered 200 unless told otherwise. */
function op(start: number, end: number, fields: Partial<Op> = {}): Op {
  return {
    client: 'okta',
    label: 'patch user',
    method: 'PATCH',
    kind: 'User',
    id: 'u1',
    start,
    end,
    status: 200,
    changes: false,
    writes: [],
    ...fields,
  }
}

const create = (start: number, end: number, fields: Partial<Op> = {}) =>
  op(start, end, {
    method: 'POST',
    label: 'create user',
    status: 201,
    name: 'ann',
    version: 1,
    changes: true,
    ...fields,
  })
const setTitle = (start: number, end: number, value: string, fields: Partial<Op> = {}) =>
  op(start, end, { writes: [{ field: 'title', value }], ...fields })

const user = (fields: Record<string, unknown>, version = 1, id = 'u1') => ({
  id,
  version,
  fields: { userName: 'Ann', ...fields },
})
const state = (users: FinalState['users'], groups: FinalState['groups'] = []): FinalState => ({
  users,
  groups,
})

describe('acceptableValues', () => {
  const w = (o: Op, value: unknown) => ({ op: o, value })

  it('is the last write when the writes did not overlap', () => {
    expect(acceptableValues([w(op(0, 10), 'a'), w(op(20, 30), 'b')])).toEqual(new Set(['"b"']))
  })

  it('is any of the overlapping last writes', () => {
    expect(acceptableValues([w(op(0, 10), 'a'), w(op(20, 30), 'b'), w(op(25, 40), 'c')])).toEqual(
      new Set(['"b"', '"c"']),
    )
  })

  it('ignores refused writes, and an unanswered write may or may not have happened', () => {
    expect(acceptableValues([w(op(0, 10), 'a'), w(op(20, 30, { status: 412 }), 'b')])).toEqual(
      new Set(['"a"']),
    )
    expect(acceptableValues([w(op(0, 10), 'a'), w(op(20, 30, { status: 0 }), 'b')])).toEqual(
      new Set(['"a"', '"b"']),
    )
  })

  it('keeps the initial value possible while no write was acknowledged', () => {
    expect(acceptableValues([w(op(0, 10, { status: 503 }), true)], { value: false })).toEqual(
      new Set(['true', 'false']),
    )
    expect(acceptableValues([w(op(0, 10), true)], { value: false })).toEqual(new Set(['true']))
    expect(acceptableValues([])).toBeUndefined()
  })
})

describe('checkFields', () => {
  const ops = [
    create(0, 5, { writes: [{ field: 'title', value: undefined }] }),
    setTitle(10, 20, 'a'),
    setTitle(30, 40, 'b'),
  ]

  it('passes the last acknowledged value and fails a lost update', () => {
    expect(checkFields(ops, state([user({ title: 'b' })]))).toMatchObject({ passed: 1, failed: 0 })
    const lost = checkFields(ops, state([user({ title: 'a' })]))
    expect(lost).toMatchObject({ passed: 0, failed: 1 })
    expect(lost.failures[0]).toContain('user u1 title is "a", expected "b"')
  })

  it('accepts either value of overlapping writes, counted as ambiguous', () => {
    const racing = [...ops, setTitle(35, 50, 'c', { client: 'entra' })]
    expect(checkFields(racing, state([user({ title: 'c' })]))).toMatchObject({ passed: 1, ambiguous: 1 })
    expect(checkFields(racing, state([user({ title: 'b' })]))).toMatchObject({ passed: 1, ambiguous: 1 })
    expect(checkFields(racing, state([user({ title: 'a' })])).failed).toBe(1)
  })
})

describe('checkVersions', () => {
  const final = (version: number) => state([user({}, version)])

  it('passes versions that rise with time', () => {
    const ops = [
      create(0, 5),
      op(10, 20, { version: 2, changes: true }),
      op(30, 40, { version: 3, changes: true }),
    ]
    expect(checkVersions(ops, final(3))).toMatchObject({ passed: 1, failed: 0 })
  })

  it('fails a version that goes back, a change without a new version, two changes with one version', () => {
    const back = [create(0, 5), op(10, 20, { version: 3 }), op(30, 40, { version: 2 })]
    expect(checkVersions(back, final(3)).failures[0]).toContain('v2 from')
    const same = [create(0, 5), op(10, 20, { version: 2 }), op(30, 40, { version: 2, changes: true })]
    expect(checkVersions(same, final(2)).failed).toBe(1)
    const twice = [
      create(0, 5),
      op(10, 40, { version: 2, changes: true }),
      op(15, 30, { version: 2, changes: true }),
    ]
    expect(checkVersions(twice, final(2)).failures[0]).toContain('two changes answered v2')
  })

  it('fails a final version below an acknowledged one, and reads count as sightings', () => {
    expect(checkVersions([create(0, 5), op(10, 20, { version: 4 })], final(3)).failed).toBe(1)
    const lookup = op(30, 40, {
      id: undefined,
      method: 'GET',
      found: [{ id: 'u1', version: 1 }],
    })
    expect(checkVersions([create(0, 5), op(10, 20, { version: 2 }), lookup], final(2)).failed).toBe(1)
  })
})

describe('existence checks', () => {
  it('wants exactly one 201 per name, and 409s only after a create of it was sent', () => {
    const lost = create(2, 8, { id: undefined, status: 409, scimType: 'uniqueness', client: 'entra' })
    expect(checkCreates([create(0, 5), lost])).toMatchObject({ passed: 1, failed: 0 })
    expect(checkCreates([create(0, 5), create(1, 6, { id: 'u2' })]).failures[0]).toContain(
      '2 creates answered 201',
    )
    expect(checkCreates([create(10, 15), { ...lost }]).failures[0]).toContain('no create of it came first')
    expect(checkCreates([{ ...lost, status: 400, scimType: 'invalidValue' }]).failed).toBe(1)
  })

  it('wants every 201 present unless deleted, and nothing else', () => {
    const del = op(10, 20, { method: 'DELETE', status: 204 })
    expect(checkAcknowledgedPresent([create(0, 5)], state([])).failed).toBe(1)
    expect(checkAcknowledgedPresent([create(0, 5), del], state([])).failed).toBe(0)
    expect(checkAcknowledgedPresent([create(0, 5), del], state([user({})])).failed).toBe(1)
    expect(checkAcknowledgedPresent([create(0, 5), { ...del, status: 0 }], state([])).ambiguous).toBe(1)
    expect(
      checkNothingUnacknowledged([create(0, 5)], state([user({}), user({ userName: 'Bob' }, 1, 'u9')])),
    ).toMatchObject({
      passed: 1,
      failed: 1,
    })
  })

  it('finds duplicate names, ignoring letter case', () => {
    expect(checkNoDuplicates(state([user({}), user({ userName: 'ANN' }, 1, 'u2')])).failed).toBe(1)
  })

  it('accepts a 404 only once a DELETE was sent, and no success after a DELETE answered', () => {
    const del = op(10, 20, { method: 'DELETE', status: 204 })
    expect(checkNotFound([create(0, 5), op(15, 25, { status: 404 }), del]).failed).toBe(0)
    expect(checkNotFound([create(0, 5), op(6, 9, { status: 404 }), del]).failed).toBe(1)
    expect(checkNotFound([create(0, 5), del, op(30, 40)]).failures[0]).toContain('after')
  })
})

describe('checkPreconditions', () => {
  const put = (start: number, end: number, fields: Partial<Op>) =>
    op(start, end, { method: 'PUT', ifMatch: 1, changes: true, ...fields })

  it('fails a stale ETag that was accepted, and a change answering the wrong version', () => {
    const ops = [create(0, 5), op(10, 20, { version: 2, changes: true })]
    expect(checkPreconditions([...ops, put(30, 40, { version: 3 })]).failures[0]).toContain('accepted')
    expect(checkPreconditions([create(0, 5), put(30, 40, { version: 3 })]).failed).toBe(1)
    expect(checkPreconditions([create(0, 5), put(30, 40, { version: 2 })]).failed).toBe(0)
  })

  it('accepts a 412 only when a write may have moved the version', () => {
    const refused = put(30, 40, { status: 412 })
    expect(checkPreconditions([create(0, 5), refused]).failed).toBe(1)
    expect(checkPreconditions([create(0, 5), op(25, 35, { version: 2 }), refused]).failed).toBe(0)
  })
})

describe('checkLookups', () => {
  const lookup = (start: number, found: string[]) =>
    op(start, start + 10, {
      method: 'GET',
      id: undefined,
      name: 'ann',
      found: found.map((id) => ({ id, version: 1 })),
    })

  it('must find an acknowledged create, and may miss one that overlapped', () => {
    expect(checkLookups([create(0, 5), lookup(10, ['u1'])]).failed).toBe(0)
    expect(checkLookups([create(0, 5), lookup(10, [])]).failures[0]).toContain('missed')
    expect(checkLookups([create(0, 15), lookup(10, [])]).failed).toBe(0)
  })

  it('must not return what was not created yet, or was deleted before', () => {
    expect(checkLookups([lookup(0, ['u1']), create(20, 30)]).failed).toBe(1)
    const del = op(6, 8, { method: 'DELETE', status: 204 })
    expect(checkLookups([create(0, 5), del, lookup(10, ['u1'])]).failed).toBe(1)
  })
})

describe('checkMembers', () => {
  const group = (members: string[]) => ({ id: 'g1', version: 3, displayName: 'Sales', members })
  const member = (start: number, end: number, id: string, value: boolean) =>
    op(start, end, { kind: 'Group', id: 'g1', status: 204, writes: [{ field: memberField(id), value }] })
  const users = [user({}), user({ userName: 'Bob' }, 1, 'u2')]

  it('follows adds and removes, and accepts either state of an add racing a remove', () => {
    const ops = [member(0, 10, 'u1', true), member(20, 30, 'u1', false), member(0, 10, 'u2', true)]
    expect(checkMembers(ops, state(users, [group(['u2'])]))).toMatchObject({ passed: 2, failed: 0 })
    expect(checkMembers(ops, state(users, [group(['u1', 'u2'])])).failed).toBe(1)
    const racing = [...ops, member(25, 35, 'u1', true)]
    expect(checkMembers(racing, state(users, [group(['u1', 'u2'])]))).toMatchObject({
      failed: 0,
      ambiguous: 1,
    })
  })

  it('fails a member nobody added and a member that is no user', () => {
    expect(checkMembers([], state(users, [group(['u2'])])).failures[0]).toContain(
      'u2 is true, expected false',
    )
    expect(checkMembers([member(0, 10, 'u7', true)], state(users, [group(['u7'])])).failures[0]).toContain(
      'no user',
    )
  })
})

describe('runChecks', () => {
  it('fails a 5xx and a 400 as statuses', () => {
    const ops = [create(0, 5), op(10, 20, { status: 500 }), op(30, 40, { status: 400 })]
    const checks = runChecks(ops, state([user({})]))
    expect(checks.find((c) => c.name === 'statuses')).toMatchObject({ passed: 1, failed: 2 })
  })

  it("takes a drop of wrangler dev's proxy as possibly applied, not as the Worker's 5xx", () => {
    const detail = 'Your worker restarted mid-request. Please try sending the request again.'
    const dropped = create(0, 5, { status: 503, detail, id: undefined })
    const again = create(6, 9, { status: 409, scimType: 'uniqueness', id: undefined })
    const checks = runChecks([dropped, again], state([user({})]))
    expect(checks.every((c) => c.failed === 0)).toBe(true)
    expect(checks.find((c) => c.name === 'statuses')).toMatchObject({ passed: 2, ambiguous: 1 })
    expect(checks.find((c) => c.name === 'nothing unacknowledged')).toMatchObject({ passed: 1, ambiguous: 1 })
  })
})

describe('summarize', () => {
  it("counts the Worker's answers, 429s, 5xx and wrangler dev's drops apart", () => {
    const stats = newStats()
    const answers = [
      { status: 201, dropped: false, ms: 10, scimType: undefined },
      { status: 409, dropped: false, ms: 30, scimType: 'uniqueness' },
      { status: 429, dropped: false, ms: 1 },
      { status: 503, dropped: false, ms: 20 },
      { status: 503, dropped: true, ms: 5 },
      { status: 0, dropped: false, ms: 0 },
    ]
    for (const answer of answers) countAnswer(stats, 'okta create user', answer)
    expect(summarize(stats, 2)).toMatchObject({
      served: 4,
      rateLimited: 1,
      serverErrors: 1,
      dropped: 1,
      noAnswer: 1,
      perSecond: 2,
      medianMs: 20,
      byOutcome: { '201': 1, '409': 1, '429': 1, '503': 1, dropped: 1, none: 1 },
      byScimType: { uniqueness: 1 },
    })
  })
})

describe('planStorm', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(planStorm(100, 7)).toEqual(planStorm(100, 7))
    expect(planStorm(100, 8)).not.toEqual(planStorm(100, 7))
  })

  it('queues every job after its client creates what it changes', () => {
    const plan = planStorm(200, 3)
    for (const queue of [plan.okta, plan.entra]) {
      const created = new Set<string>()
      for (const job of queue) {
        const group = job.kind.includes('Group') || job.kind.includes('Members')
        if (job.kind === 'createUser' || job.kind === 'createGroup') created.add(`${group} ${job.target}`)
        else expect(created.has(`${group} ${job.target}`)).toBe(true)
        if (group && job.kind !== 'createGroup')
          for (const m of job.members) expect(created.has(`false ${m}`)).toBe(true)
      }
    }
  })

  it('has users in every role, shared groups, and both clients at work', () => {
    const plan = planStorm(300, 1)
    expect(new Set(plan.users)).toEqual(new Set(['shared', 'okta', 'entra', 'doomed']))
    expect(plan.groups).toContain('shared')
    expect(plan.okta.some((j) => j.kind === 'removeMembers' && j.members.length > 0)).toBe(true)
    expect(plan.entra.filter((j) => j.kind === 'deleteUser').length).toBe(
      plan.users.filter((r) => r === 'doomed').length,
    )
  })
})

describe('parseLoadArgs', () => {
  it('has defaults and reads the flags', () => {
    expect(parseLoadArgs([])).toEqual({ users: 300, concurrency: 64, seed: 1, json: false, help: false })
    expect(
      parseLoadArgs(['--users', '1_000', '--concurrency', '128', '--seed', '9', '--json']),
    ).toMatchObject({
      users: 1000,
      concurrency: 128,
      seed: 9,
      json: true,
    })
  })

  it('refuses too few users and unknown flags', () => {
    expect(() => parseLoadArgs(['--users', '5'])).toThrow(CliError)
    expect(() => parseLoadArgs(['--cases', '5'])).toThrow(CliError)
  })
})
