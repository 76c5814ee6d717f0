/**
 * The Entra-like client (docs/entra-id.md, default dialect): look a user up by externalId before
 * creating it with the enterprise extension, change it with one `Replace`/`Add` per path (string
 * booleans included), delete it; add and remove group members one at a time, removing with
 * `members[value eq "…"]`. Its shared users carry the same userName as Okta's in another letter case.
 */
import { bodyWrites, ENTERPRISE, memberField } from './load-fields'
import type { FieldWrite } from './load-history'
import {
  type ClientContext,
  GROUP,
  groupName,
  patch,
  provision,
  provisionGroup,
  targetId,
  USER,
} from './load-idp'
import type { Job } from './load-plan'

function entraUser(ctx: ClientContext, user: number, n: number) {
  const shared = ctx.plan.users[user] === 'shared'
  return {
    schemas: [USER, ENTERPRISE],
    externalId: `ext-${user}`,
    userName: shared ? `U${user}.Load@Example.com` : `u${user}.load@example.com`,
    active: true,
    displayName: `Entra${n} User${user}`,
    name: { givenName: `Entra${n}`, familyName: `User${user}` },
    emails: [{ primary: true, type: 'work', value: `entra${n}.u${user}@example.com` }],
    [ENTERPRISE]: { employeeNumber: String(user), department: `Dept ${n}` },
  }
}

async function createUser(ctx: ClientContext, job: Job) {
  const externalId = `ext-${job.target}`
  const body = entraUser(ctx, job.target, job.n)
  const find = { attribute: 'externalId', value: externalId }
  const name = { attribute: 'userName', value: body.userName }
  const { id, adopted } = await provision(ctx, 'User', job.target, {
    find,
    name,
    body,
    writes: bodyWrites(body),
  })
  if (!adopted || id === undefined) return
  // The user Okta created has no externalId: give it Entra's, so its next lookup finds it.
  const operations = [{ op: 'Add', path: 'externalId', value: externalId }]
  await patch(ctx, 'set externalId', 'User', id, operations, {
    writes: [{ field: 'externalId', value: externalId }],
  })
}

/** Several attributes, one operation per path, each set to a value of this job alone. */
function changeUser(ctx: ClientContext, job: Job, id: string, label = 'patch user') {
  const email = `entra${job.n}.u${job.target}@example.com`
  const operations: unknown[] = [
    { op: 'Replace', path: 'displayName', value: `Entra${job.n} User${job.target}` },
    { op: 'Add', path: 'emails[type eq "work"].value', value: email },
    { op: 'Replace', path: `${ENTERPRISE}:department`, value: `Dept ${job.n}` },
  ]
  const writes: FieldWrite[] = [
    { field: 'displayName', value: `Entra${job.n} User${job.target}` },
    { field: 'workEmail', value: email },
    { field: 'department', value: `Dept ${job.n}` },
  ]
  // Every third change also disables the user, as Entra does: with the string "False".
  if (job.n % 3 === 0) {
    operations.push({ op: 'Replace', path: 'active', value: 'False' })
    writes.push({ field: 'active', value: false })
  }
  return patch(ctx, label, 'User', id, operations, { writes, changes: true })
}

/** A DELETE sent while a PATCH of the same user is in flight; then a PATCH that must get 404. */
async function deleteUser(ctx: ClientContext, job: Job, id: string) {
  const del = ctx.http.send({
    client: 'entra',
    label: 'delete user',
    method: 'DELETE',
    path: `/Users/${id}`,
    kind: 'User',
    id,
  })
  await Promise.all([changeUser(ctx, job, id, 'patch racing delete'), del])
  await changeUser(ctx, { ...job, n: -job.n }, id, 'patch after delete')
}

/** Entra spells a shared group's name in capitals: the same name to the server, another to Okta. */
function createGroup(ctx: ClientContext, job: Job) {
  const shared = ctx.plan.groups[job.target] === 'shared'
  const displayName = shared ? groupName(job.target).toUpperCase() : groupName(job.target)
  return provisionGroup(ctx, job.target, { schemas: [GROUP], displayName })
}

/** Entra's rename, in title case: no other write sends that spelling. */
async function renameGroup(ctx: ClientContext, job: Job, id: string) {
  const displayName = `Load Group ${job.target}`
  const operations = [{ op: 'Replace', path: 'displayName', value: displayName }]
  await patch(ctx, 'rename group', 'Group', id, operations, {
    writes: [{ field: 'displayName', value: displayName }],
    changes: true,
  })
}

async function changeMember(ctx: ClientContext, job: Job, id: string) {
  const member = await ctx.users.get(job.members[0]!)
  if (member === undefined) return
  const add = job.kind === 'addMembers'
  const operation = add
    ? { op: 'Add', path: 'members', value: [{ value: member }] }
    : { op: 'Remove', path: `members[value eq "${member}"]` }
  const writes = [{ field: memberField(member), value: add }]
  await patch(ctx, add ? 'add member' : 'remove member', 'Group', id, [operation], { writes })
}

export async function runEntraJob(ctx: ClientContext, job: Job): Promise<void> {
  if (job.kind === 'createUser') return createUser(ctx, job)
  if (job.kind === 'createGroup') return void (await createGroup(ctx, job))
  const id = await targetId(ctx, job)
  if (id === undefined) return
  if (job.kind === 'patchUser') return void (await changeUser(ctx, job, id))
  if (job.kind === 'deleteUser') return deleteUser(ctx, job, id)
  if (job.kind === 'renameGroup') return renameGroup(ctx, job, id)
  return changeMember(ctx, job, id)
}
