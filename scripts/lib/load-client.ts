/**
 * The storm's HTTP client: one tenant's SCIM API over wire.ts with as many sockets as lanes, every
 * answer counted, and every request of the storm recorded as an Op for the checks. A 429 is waited
 * out as its Retry-After asks and sent again (it did not reach the Worker: not recorded). A request
 * wrangler dev dropped (isDrop) is recorded (it may have reached the Worker) and sent again, as an
 * identity provider sends a request again after a 503 or a reset connection.
 */
import type { Agent } from 'node:http'
import { parseVersion } from './load-fields'
import { type ClientName, type FieldWrite, isDrop, type Op, type ResourceKind } from './load-history'
import { countAnswer, type LoadStats } from './load-stats'
import { createAgent, send, type WireAnswer } from './wire'

export interface OpRequest {
  client: ClientName
  label: string
  method: string
  /** Under /scim/v2. */
  path: string
  body?: unknown
  kind: ResourceKind
  id?: string | undefined
  name?: string | undefined
  ifMatch?: number | undefined
  changes?: boolean
  writes?: FieldWrite[]
  /** A filtered list: the resources it answers are recorded as found. */
  list?: boolean
}

type Json = Record<string, unknown>

export interface Answered {
  op: Op
  json: Json | undefined
}

export interface LoadHttp {
  /** Sends a request of the storm and records it. */
  send(request: OpRequest): Promise<Answered>
  /** Sends a request outside the storm (the read-back): counted, not recorded. */
  read(path: string): Promise<Answered>
  readonly ops: Op[]
  destroy(): void
}

export interface HttpOptions {
  port: number
  host: string
  token: string
  sockets: number
  stats: LoadStats
  log: (line: string) => void
}

// Generous: on two busy cores hundreds of requests queue in one workerd; no answer fails the run.
const TIMEOUT_MS = 120_000
// Each 429 waits the limiter's whole period (60 s): ten attempts mean something else is wrong.
const MAX_ATTEMPTS = 10
/** The pause before sending again a request wrangler dev dropped. */
const DROP_PAUSE_MS = 1000

const parse = (text: string): Json | undefined => {
  try {
    const json: unknown = JSON.parse(text)
    return typeof json === 'object' && json !== null ? (json as Json) : undefined
  } catch {
    return undefined
  }
}

function foundIn(json: Json | undefined) {
  const resources = Array.isArray(json?.Resources) ? (json.Resources as Json[]) : []
  return resources.map((r) => ({ id: String(r.id), version: parseVersion((r.meta as Json)?.version) ?? 0 }))
}

/** The Op of one answered (or unanswered) request. */
function opOf(
  request: OpRequest,
  answer: WireAnswer | undefined,
  error: unknown,
  start: number,
  end: number,
): Answered {
  const status = answer?.status ?? 0
  const json = answer && parse(answer.text)
  const op: Op = {
    client: request.client,
    label: request.label,
    method: request.method,
    kind: request.kind,
    id: request.id ?? (status === 201 ? String(json?.id) : undefined),
    name: request.name,
    start,
    end,
    status,
    scimType: status >= 400 && typeof json?.scimType === 'string' ? json.scimType : undefined,
    detail:
      status >= 500 || status === 0 ? String(json?.detail ?? answer?.text ?? error).slice(0, 160) : undefined,
    version:
      parseVersion(answer?.headers.get('etag')) ?? parseVersion((json?.meta as Json | undefined)?.version),
    ifMatch: request.ifMatch,
    changes: request.changes ?? false,
    writes: request.writes ?? [],
    found: request.list && status === 200 ? foundIn(json) : undefined,
  }
  return { op, json }
}

/** One attempt of `request`, timed on the clock that starts at `origin`, and counted. */
async function attempt(options: HttpOptions, agent: Agent, origin: number, request: OpRequest) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token}`,
    accept: 'application/scim+json',
    'content-type': 'application/scim+json',
  }
  if (request.ifMatch !== undefined) headers['if-match'] = `W/"${request.ifMatch}"`
  const body = request.body === undefined ? undefined : JSON.stringify(request.body)
  const start = performance.now() - origin
  let error: unknown
  const answer = await send(options.port, agent, {
    method: request.method,
    path: `/scim/v2${request.path}`,
    host: options.host,
    headers,
    body,
    timeoutMs: TIMEOUT_MS,
  }).catch((e: unknown) => {
    error = e
    return undefined
  })
  const answered = opOf(request, answer, error, start, performance.now() - origin)
  const { op } = answered
  const drop = isDrop(op)
  countAnswer(options.stats, `${request.client} ${request.label}`, {
    ...op,
    dropped: drop,
    ms: answer?.ms ?? 0,
  })
  const retryAfter = op.status === 429 ? Number(answer?.headers.get('retry-after') ?? 60) : 0
  return { answered, retryAfter, drop }
}

export function loadHttp(options: HttpOptions): LoadHttp {
  const agent = createAgent(options.sockets)
  const origin = performance.now()
  const ops: Op[] = []
  let quietUntil = 0
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const exchange = async (request: OpRequest, record: boolean) => {
    for (let tries = 1; ; tries++) {
      const { answered, retryAfter, drop } = await attempt(options, agent, origin, request)
      if ((!retryAfter && !drop) || tries >= MAX_ATTEMPTS) return answered
      // A dropped request may have reached the Worker: the checks must know it was sent.
      if (drop && record) ops.push(answered.op)
      if (drop) await sleep(DROP_PAUSE_MS)
      else {
        // Every lane meets the limit at once: one line for them all.
        if (Date.now() > quietUntil)
          options.log(`  rate limited (429): waiting ${retryAfter} s as Retry-After asks`)
        quietUntil = Date.now() + retryAfter * 1000
        await sleep(retryAfter * 1000)
      }
    }
  }
  return {
    ops,
    async send(request) {
      const answered = await exchange(request, true)
      ops.push(answered.op)
      return answered
    },
    read: (path) =>
      exchange({ client: 'okta', label: 'read-back', method: 'GET', path, kind: 'User' }, false),
    destroy: () => agent.destroy(),
  }
}
