/**
 * The storm's schedule, a pure function of the user count and the seed: which client knows which
 * users and groups, and each client's queue of jobs. Both queues walk the users in the same order,
 * so the two clients reach a shared user or group at about the same time: that is where the
 * deliberate conflicts come from.
 */
import { seededPick } from './bench-measure'
import type { ClientName } from './load-history'

/** shared: both clients create and change it; doomed: Entra's, deleted while a PATCH of it runs. */
export type UserRole = 'shared' | 'okta' | 'entra' | 'doomed'
export type GroupRole = 'shared' | 'okta' | 'entra'

export type JobKind =
  | 'createUser'
  | 'patchUser'
  | 'replaceUser'
  | 'deleteUser'
  | 'createGroup'
  | 'renameGroup'
  | 'addMembers'
  | 'removeMembers'

export interface Job {
  kind: JobKind
  /** Queues run in slot order: a user's create, then its changes, then its memberships. */
  slot: number
  /** Unique to the job: written into values, so each write sets something never sent before. */
  n: number
  /** The user, or the group of a group job. */
  target: number
  /** The users a membership job adds or removes. */
  members: number[]
}

export interface StormPlan {
  users: UserRole[]
  groups: GroupRole[]
  okta: Job[]
  entra: Job[]
}

export const CLIENTS: readonly ClientName[] = ['okta', 'entra']
// A quarter shared, the rest split between the clients; a third of Entra's are deleted.
const USER_ROLES: readonly UserRole[] = [
  'shared',
  'okta',
  'okta',
  'okta',
  'entra',
  'entra',
  'doomed',
  'shared',
]
const GROUP_ROLES: readonly GroupRole[] = ['shared', 'okta', 'entra']
/** Users per slot: small enough that creates, changes and memberships of nearby users interleave. */
const CHUNK = 20
const MEMBERS_PER_GROUP = 10

export const knowsUser = (client: ClientName, role: UserRole) =>
  role === 'shared' || role === client || (client === 'entra' && role === 'doomed')
export const knowsGroup = (client: ClientName, role: GroupRole) => role === 'shared' || role === client

const chunkOf = (user: number) => Math.floor(user / CHUNK)

type Draft = Omit<Job, 'n'> & { client: ClientName }

const draft = (
  client: ClientName,
  kind: JobKind,
  slot: number,
  target: number,
  members: number[] = [],
): Draft => ({
  client,
  kind,
  slot,
  target,
  members,
})

function userJobs(user: number, role: UserRole): Draft[] {
  const job = (client: ClientName, kind: JobKind, offset: number) =>
    draft(client, kind, chunkOf(user) + offset, user)
  const drafts = CLIENTS.filter((c) => knowsUser(c, role)).flatMap((c) => [
    job(c, 'createUser', 0),
    job(c, 'patchUser', 1),
  ])
  if (knowsUser('okta', role)) drafts.push(job('okta', 'replaceUser', 3))
  // Entra's second PATCH meets Okta's PUT of the same user; a doomed user's DELETE meets a PATCH.
  if (role === 'shared') drafts.push(job('entra', 'patchUser', 3))
  if (role === 'doomed') drafts.push(job('entra', 'deleteUser', 3))
  return drafts
}

/** `count` distinct items of `pool`, chosen by `pick`. */
function sample<T>(pool: readonly T[], count: number, pick: (n: number) => number): T[] {
  const left = [...pool]
  return Array.from({ length: Math.min(count, left.length) }, () => left.splice(pick(left.length), 1)[0]!)
}

/**
 * One member's story in one group: each client that knows both adds it; then sometimes one of them
 * removes it, and where both know it, sometimes the other adds it again at the same moment.
 */
function memberJobs(group: number, user: number, adders: ClientName[], pick: (n: number) => number): Draft[] {
  const job = (client: ClientName, kind: JobKind, offset: number) =>
    draft(client, kind, chunkOf(user) + offset, group, [user])
  const drafts = adders.map((c) => job(c, 'addMembers', 2))
  const roll = pick(10)
  const remover = adders[pick(adders.length)]!
  const other = adders.find((c) => c !== remover)
  if (other && roll < 4) drafts.push(job(remover, 'removeMembers', 4), job(other, 'addMembers', 4))
  else if (roll < 3) drafts.push(job(remover, 'removeMembers', 4))
  return drafts
}

function groupJobs(group: number, role: GroupRole, users: readonly UserRole[], pick: (n: number) => number) {
  const clients = CLIENTS.filter((c) => knowsGroup(c, role))
  const drafts = clients.map((client) => draft(client, 'createGroup', 0, group))
  // Both clients rename a shared group at once: concurrent PATCHes of one group.
  if (role === 'shared') drafts.push(...clients.map((client) => draft(client, 'renameGroup', 2, group)))
  const pool = users.flatMap((r, user) => (clients.some((c) => knowsUser(c, r)) ? [user] : []))
  for (const user of sample(pool, MEMBERS_PER_GROUP, pick)) {
    const adders = clients.filter((c) => knowsUser(c, users[user]!))
    drafts.push(...memberJobs(group, user, adders, pick))
  }
  return drafts
}

/** Okta sends the members it changes in one group at one moment as one PATCH; Entra one by one. */
function batchOkta(jobs: Job[]): Job[] {
  const batches = new Map<string, Job>()
  return jobs.flatMap((job) => {
    if (job.kind !== 'addMembers' && job.kind !== 'removeMembers') return [job]
    const key = `${job.kind} ${job.target} ${job.slot}`
    const batch = batches.get(key)
    if (batch) {
      batch.members.push(...job.members)
      return []
    }
    batches.set(key, job)
    return [job]
  })
}

/** Orders a queue by slot, at random within a slot, and numbers its jobs. */
function queue(drafts: Draft[], pick: (n: number) => number, first: number): Job[] {
  const keyed = drafts.map((d) => ({ d, key: pick(2 ** 30) }))
  keyed.sort((a, b) => a.d.slot - b.d.slot || a.key - b.key)
  return keyed.map(({ d: { client: _, ...job } }, i) => ({ ...job, n: first + i }))
}

export function planStorm(userCount: number, seed: number): StormPlan {
  const pick = seededPick(seed)
  const users = Array.from({ length: userCount }, () => USER_ROLES[pick(USER_ROLES.length)]!)
  const groups = Array.from(
    { length: Math.max(3, Math.round(userCount / 15)) },
    (_, g) => GROUP_ROLES[g % 3]!,
  )
  const drafts = [
    ...users.flatMap((role, user) => userJobs(user, role)),
    ...groups.flatMap((role, group) => groupJobs(group, role, users, pick)),
  ]
  const okta = queue(
    drafts.filter((d) => d.client === 'okta'),
    pick,
    0,
  )
  const entra = queue(
    drafts.filter((d) => d.client === 'entra'),
    pick,
    okta.length,
  )
  return { users, groups, okta: batchOkta(okta), entra }
}
