/** What the Okta-like and Entra-like clients share: the ids each has learnt, lookups and PATCH. */
import type { LoadHttp } from './load-client'
import type { ClientName, FieldWrite, ResourceKind } from './load-history'
import type { Job, JobKind, StormPlan } from './load-plan'

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

/** The ids a client has learnt, by user or group number; a job needing one waits for its create job. */
export interface IdBook {
  settle(index: number, id: string | undefined): void
  get(index: number): Promise<string | undefined>
}

export function idBook(): IdBook {
  const entries = new Map<number, { promise: Promise<string | undefined>; resolve: (id?: string) => void }>()
  const entry = (index: number) => {
    const known = entries.get(index)
    if (known) return known
    let resolve: (id?: string) => void = () => {}
    const promise = new Promise<string | undefined>((r) => {
      resolve = r
    })
    entries.set(index, { promise, resolve })
    return { promise, resolve }
  }
  return { settle: (index, id) => entry(index).resolve(id), get: (index) => entry(index).promise }
}

export interface ClientContext {
  client: ClientName
  http: LoadHttp
  plan: StormPlan
  users: IdBook
  groups: IdBook
}

/** A group's name as Okta pushes it; Entra spells a shared group's in capitals. */
export const groupName = (group: number) => `Load group ${group}`

const GROUP_JOBS = new Set<JobKind>(['renameGroup', 'addMembers', 'removeMembers'])

/** The id of the user or group a job changes, once this client's create job has learnt it. */
export const targetId = (ctx: ClientContext, job: Job) =>
  (GROUP_JOBS.has(job.kind) ? ctx.groups : ctx.users).get(job.target)

const PATHS: Record<ResourceKind, string> = { User: '/Users', Group: '/Groups' }
/** The attributes that are unique names: a lookup by them is checked for completeness. */
const UNIQUE = new Set(['userName', 'displayName'])

/** `GET /Users?filter=<attribute> eq "<value>"` (or /Groups): the id found, if any. */
export async function lookup(ctx: ClientContext, kind: ResourceKind, attribute: string, value: string) {
  const filter = encodeURIComponent(`${attribute} eq "${value}"`)
  const { op } = await ctx.http.send({
    client: ctx.client,
    label: `lookup ${kind.toLowerCase()} by ${attribute}`,
    method: 'GET',
    path: `${PATHS[kind]}?filter=${filter}`,
    kind,
    name: UNIQUE.has(attribute) ? value.toLowerCase() : undefined,
    list: true,
  })
  return op.found?.[0]?.id
}

export interface PatchOptions {
  writes: FieldWrite[]
  changes?: boolean
  ifMatch?: number
}

/** `PATCH /Users/{id}` (or /Groups) with a PatchOp of `operations`. */
export const patch = (
  ctx: ClientContext,
  label: string,
  kind: ResourceKind,
  id: string,
  operations: unknown[],
  options: PatchOptions,
) =>
  ctx.http.send({
    client: ctx.client,
    label,
    method: 'PATCH',
    path: `${PATHS[kind]}/${id}`,
    body: { schemas: [PATCH_OP], Operations: operations },
    kind,
    id,
    ...options,
  })

interface Attribute {
  attribute: string
  value: string
}

export interface Provision {
  /** What the client looks the resource up by before creating it. */
  find: Attribute
  /** Its unique name: a create that lost to the other client's is looked up by it. */
  name: Attribute
  body: Record<string, unknown>
  writes: FieldWrite[]
}

/** `POST /Users` (or /Groups): the new id, or after a 409 the id a lookup by name finds. */
async function createOrAdopt(ctx: ClientContext, kind: ResourceKind, { name, body, writes }: Provision) {
  const { op } = await ctx.http.send({
    client: ctx.client,
    label: `create ${kind.toLowerCase()}`,
    method: 'POST',
    path: PATHS[kind],
    body,
    kind,
    name: name.value.toLowerCase(),
    changes: true,
    writes,
  })
  if (op.status === 201) return { id: op.id, adopted: false }
  // Lost the race to the other client: adopt what it created, as the identity providers' next sync would.
  return { id: await lookup(ctx, kind, name.attribute, name.value), adopted: op.status === 409 }
}

/**
 * How both identity providers provision: look the resource up, create it if nothing matches, and
 * learn its id (unblocking this client's jobs that change it). `adopted`: another client made it.
 */
export async function provision(ctx: ClientContext, kind: ResourceKind, index: number, p: Provision) {
  const found = await lookup(ctx, kind, p.find.attribute, p.find.value)
  const result = found ? { id: found, adopted: false } : await createOrAdopt(ctx, kind, p)
  ;(kind === 'User' ? ctx.users : ctx.groups).settle(index, result.id)
  return result
}

/** A group by its displayName, which both clients look it up by. */
export function provisionGroup(
  ctx: ClientContext,
  group: number,
  body: { displayName: string; [key: string]: unknown },
) {
  const name = { attribute: 'displayName', value: body.displayName }
  const writes = [{ field: 'displayName', value: body.displayName }]
  return provision(ctx, 'Group', group, { find: name, name, body, writes })
}
