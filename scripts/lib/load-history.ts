/**
 * What `npm run load` records of each request of its storm, and the reading of it that every check
 * shares. A request's interval runs from just before it was sent to the end of its answer, so the
 * server ran it somewhere inside; two requests whose intervals do not overlap ran in that order.
 */
import { isWorkerRestart } from './dev-server'

export type ResourceKind = 'User' | 'Group'
export type ClientName = 'okta' | 'entra'

/** One value a request sets if it applied: a user field, a group's displayName, or `member:<userId>`. */
export interface FieldWrite {
  field: string
  value: unknown
}

/** A resource a list answer returned: a read of its version. */
export interface Found {
  id: string
  version: number
}

export interface Op {
  client: ClientName
  /** What the request is for, e.g. `create user`: answers are counted by it. */
  label: string
  method: string
  kind: ResourceKind
  /** The resource it addressed, or the one it created (201). */
  id?: string | undefined
  /** A create's or lookup's userName or displayName, lower-cased (the names here are ASCII). */
  name?: string | undefined
  /** Milliseconds on one monotonic clock. */
  start: number
  end: number
  /** 0 when no answer came. */
  status: number
  scimType?: string | undefined
  /** An error answer's detail, shortened: what the server said went wrong. */
  detail?: string | undefined
  /** The version the answer carried (ETag or meta.version). */
  version?: number | undefined
  /** The version sent in If-Match. */
  ifMatch?: number | undefined
  /** The request sets a value never sent before, so an acknowledged answer must carry a new version. */
  changes: boolean
  writes: FieldWrite[]
  /** What a filtered list (a lookup) returned. */
  found?: Found[] | undefined
}

export const acknowledged = (op: Op) => op.status >= 200 && op.status < 300

/** An outcome that does not tell whether the write happened: no answer, or a server error. */
export const indeterminate = (op: Op) => op.status === 0 || op.status >= 500

/**
 * A request wrangler dev dropped, which the Worker may or may not have run: under load its proxy
 * loses the connection to the Worker mid-request (workerd logs "Connection reset by peer") and
 * answers 503 with this text, which blames a restart; or a connection of the client is reset.
 */
export const isDrop = (op: Pick<Op, 'status' | 'detail'>) =>
  isWorkerRestart({ status: op.status, body: op.detail ?? '' }) ||
  (op.status === 0 && /ECONNRESET|socket hang up/.test(op.detail ?? ''))

export const mayHaveApplied = (op: Op) => acknowledged(op) || indeterminate(op)

/** `a` was answered before `b` was sent: the server ran `a` first. */
export const precedes = (a: Pick<Op, 'end'>, b: Pick<Op, 'start'>) => a.end < b.start

export const isCreate = (op: Op) => op.method === 'POST'
export const isDelete = (op: Op) => op.method === 'DELETE'

/** A create that was acknowledged, with the id it made. */
export const createdId = (op: Op) => (isCreate(op) && op.status === 201 ? op.id : undefined)

/** Every DELETE of `id` that may have applied. */
export const deletesOf = (ops: readonly Op[], id: string) =>
  ops.filter((op) => isDelete(op) && op.id === id && mayHaveApplied(op))

/** A short description of a request for failure reports, with its time relative to the storm's start. */
export function describeOp(op: Op): string {
  const answer = op.status === 0 ? 'no answer' : `${op.status}${op.scimType ? ` ${op.scimType}` : ''}`
  const detail = op.detail === undefined ? '' : ` "${op.detail}"`
  const version = op.version === undefined ? '' : ` v${op.version}`
  const ifMatch = op.ifMatch === undefined ? '' : ` If-Match v${op.ifMatch}`
  const at = `${op.start.toFixed(0)}–${op.end.toFixed(0)} ms`
  return `${op.client} ${op.label} ${op.method} ${op.kind} ${op.id ?? op.name ?? ''}${ifMatch} → ${answer}${detail}${version} (${at})`
}
