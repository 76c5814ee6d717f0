/**
 * The Okta-like client (docs/okta.md): look a user up by userName before creating it, deactivate
 * with a path-less replace, update with GET then a PUT of the whole user; push groups by name, then
 * add and remove members with `path: "members"` and value lists. Its PUTs carry If-Match from the
 * GET (retried on 412), and after each it replays the create's ETag, which must get 412.
 */
import { bodyWrites, memberField } from './load-fields'
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

const oktaUserName = (user: number) => `u${user}.load@example.com`
/** PUT attempts of one update: each 412 means another write came between its GET and its PUT. */
const PUT_ATTEMPTS = 3

function oktaUser(user: number, tag: string) {
  return {
    schemas: [USER],
    userName: oktaUserName(user),
    name: { givenName: `Okta${tag}`, familyName: `User${user}` },
    displayName: `Okta${tag} User${user}`,
    emails: [{ primary: true, value: `okta${tag}.u${user}@example.com`, type: 'work' }],
    active: true,
    // Okta sends a random password on every create; the server accepts it and never stores it.
    password: `Pw-${tag}-!x9`,
  }
}

async function createUser(ctx: ClientContext, job: Job) {
  const name = { attribute: 'userName', value: oktaUserName(job.target) }
  const body = oktaUser(job.target, String(job.n))
  await provision(ctx, 'User', job.target, { find: name, name, body, writes: bodyWrites(body) })
}

async function deactivate(ctx: ClientContext, id: string) {
  const operations = [{ op: 'replace', value: { active: false } }]
  await patch(ctx, 'deactivate user', 'User', id, operations, { writes: [{ field: 'active', value: false }] })
}

/** What every request to `/Users/{id}` of this client has in common. */
const user = (ctx: ClientContext, id: string) => ({
  client: ctx.client,
  path: `/Users/${id}`,
  kind: 'User' as const,
  id,
})

/** GET, then PUT of the whole user (reactivated) with If-Match; then the stale ETag replayed. */
async function replaceUser(ctx: ClientContext, job: Job, id: string) {
  for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
    const read = await ctx.http.send({ ...user(ctx, id), label: 'read user', method: 'GET' })
    if (read.op.status !== 200) return
    // Okta echoes id and meta back; a fresh tag per attempt keeps every PUT a change.
    const body = { ...oktaUser(job.target, `${job.n}.${attempt}`), id, meta: read.json?.meta }
    const put = await ctx.http.send({
      ...user(ctx, id),
      label: 'replace user',
      method: 'PUT',
      body,
      ifMatch: read.op.version,
      changes: true,
      writes: bodyWrites(body),
    })
    if (put.op.status === 412) continue
    if (put.op.status !== 200) return
    const stale = [{ op: 'replace', value: { title: `Stale ${job.n}` } }]
    const writes = [{ field: 'title', value: `Stale ${job.n}` }]
    await patch(ctx, 'PATCH with a stale ETag', 'User', id, stale, { writes, changes: true, ifMatch: 1 })
    return
  }
}

const createGroup = (ctx: ClientContext, job: Job) =>
  provisionGroup(ctx, job.target, { schemas: [GROUP], displayName: groupName(job.target), members: [] })

/** Okta's rename: a path-less replace echoing the id. All lower case: no other write sends that. */
async function renameGroup(ctx: ClientContext, job: Job, id: string) {
  const displayName = groupName(job.target).toLowerCase()
  const operations = [{ op: 'replace', value: { id, displayName } }]
  await patch(ctx, 'rename group', 'Group', id, operations, {
    writes: [{ field: 'displayName', value: displayName }],
    changes: true,
  })
}

async function changeMembers(ctx: ClientContext, job: Job, id: string) {
  const add = job.kind === 'addMembers'
  const ids = (await Promise.all(job.members.map((m) => ctx.users.get(m)))).filter((m) => m !== undefined)
  if (ids.length === 0) return
  const operations = [{ op: add ? 'add' : 'remove', path: 'members', value: ids.map((value) => ({ value })) }]
  const writes = ids.map((member) => ({ field: memberField(member), value: add }))
  await patch(ctx, add ? 'add members' : 'remove members', 'Group', id, operations, { writes })
}

export async function runOktaJob(ctx: ClientContext, job: Job): Promise<void> {
  if (job.kind === 'createUser') return createUser(ctx, job)
  if (job.kind === 'createGroup') return void (await createGroup(ctx, job))
  const id = await targetId(ctx, job)
  if (id === undefined) return
  if (job.kind === 'patchUser') return deactivate(ctx, id)
  if (job.kind === 'replaceUser') return replaceUser(ctx, job, id)
  if (job.kind === 'renameGroup') return renameGroup(ctx, job, id)
  return changeMembers(ctx, job, id)
}
