/**
 * Field values and group members as registers: each write sets a value if it applied. After the
 * storm a register must hold the value of a write that may have applied and that no acknowledged
 * write certainly followed (answered before the later one was sent). One such write: one right
 * answer; several (they overlapped): any of theirs.
 */
import { type CheckResult, type Tally, tally } from './load-check-result'
import { type FinalState, MEMBER_PREFIX, memberField, valueKey } from './load-fields'
import { acknowledged, describeOp, mayHaveApplied, type Op, precedes } from './load-history'

export interface RegisterWrite {
  op: Op
  value: unknown
}

/**
 * The values (as valueKey) a register may end with, or undefined when nothing may have been written.
 * `initial` is its value before any write (a membership: false), still possible while no write was
 * acknowledged.
 */
export function acceptableValues(
  writes: readonly RegisterWrite[],
  initial?: { value: unknown },
): Set<string> | undefined {
  const applied = writes.filter((w) => mayHaveApplied(w.op))
  const last = applied.filter((w) => !writes.some((o) => acknowledged(o.op) && precedes(w.op, o.op)))
  const values = new Set(last.map((w) => valueKey(w.value)))
  if (initial && !writes.some((w) => acknowledged(w.op))) values.add(valueKey(initial.value))
  return values.size > 0 ? values : undefined
}

// Before any add, a user is in no group.
const NOT_A_MEMBER = { value: false }

type Registers = Map<string, Map<string, RegisterWrite[]>>

/** Every write of every register: by resource id, then field. */
export function registers(ops: readonly Op[]): Registers {
  const byId: Registers = new Map()
  for (const op of ops) {
    if (op.id === undefined) continue
    const fields = byId.get(op.id) ?? new Map<string, RegisterWrite[]>()
    byId.set(op.id, fields)
    for (const { field, value } of op.writes) fields.set(field, [...(fields.get(field) ?? []), { op, value }])
  }
  return byId
}

/** Judges one register's final value against its writes; without writes there is nothing to judge. */
function judgeRegister(
  t: Tally,
  what: string,
  writes: readonly RegisterWrite[],
  final: unknown,
  initial?: { value: unknown },
) {
  const acceptable = acceptableValues(writes, initial)
  if (!acceptable) return
  const got = valueKey(final)
  if (!acceptable.has(got)) {
    const history = writes.map((w) => `${describeOp(w.op)} sets ${valueKey(w.value)}`).join('; ')
    t.fail(`${what} is ${got}, expected ${[...acceptable].join(' or ')}${history && `: ${history}`}`)
  } else if (acceptable.size > 1) t.ambiguous()
  else t.pass()
}

/** Every tracked field of every final user, and every final group's displayName. */
export function checkFields(ops: readonly Op[], final: FinalState): CheckResult {
  const t = tally(
    'fields',
    'each field holds the last acknowledged write (one of them where writes overlapped)',
  )
  const byId = registers(ops)
  for (const user of final.users) {
    for (const [field, value] of Object.entries(user.fields)) {
      judgeRegister(t, `user ${user.id} ${field}`, byId.get(user.id)?.get(field) ?? [], value)
    }
  }
  for (const group of final.groups) {
    judgeRegister(
      t,
      `group ${group.id} displayName`,
      byId.get(group.id)?.get('displayName') ?? [],
      group.displayName,
    )
  }
  return t.result
}

/**
 * Group members as registers of true (member) and false. A user that no longer exists must be in
 * no group; a user that exists was never deleted (no name is created twice), so its memberships
 * follow the adds and removes alone (a member no request added fails).
 */
export function checkMembers(ops: readonly Op[], final: FinalState): CheckResult {
  const t = tally('members', 'each membership as last acknowledged; none never added, none of a deleted user')
  const byId = registers(ops)
  const users = new Set(final.users.map((u) => u.id))
  for (const group of final.groups) {
    const members = new Set(group.members)
    const fields = byId.get(group.id) ?? new Map<string, RegisterWrite[]>()
    const touched = [...fields.keys()].filter((f) => f.startsWith(MEMBER_PREFIX))
    const ids = new Set([...members, ...touched.map((f) => f.slice(MEMBER_PREFIX.length))])
    for (const userId of ids) {
      const what = `group ${group.id} member ${userId}`
      const writes = fields.get(memberField(userId)) ?? []
      if (!users.has(userId))
        t.judge(members.has(userId) ? `${what} is no user but still a member` : undefined)
      else judgeRegister(t, what, writes, members.has(userId), NOT_A_MEMBER)
    }
  }
  return t.result
}
