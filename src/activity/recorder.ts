import {
  type ActivityBatch,
  type FailureRecord,
  FLUSH_INTERVAL_MS,
  MAX_CLIENT_LENGTH,
  MAX_DETAIL_LENGTH,
  MAX_ITEMIZED_FAILURES,
  MAX_USAGE_KEYS,
  OTHER_CLIENTS,
  type UsageCount,
} from './activity-batch'

/** One finished SCIM request, as the request log saw it. */
export interface RequestOutcome {
  tenant: string
  at: number
  status: number
  method: string
  endpoint: string
  client: string
  scimType?: string | undefined
  detail?: string | undefined
  resourceId?: string | undefined
  requestId?: string | undefined
  tokenId?: string | undefined
}

interface TenantBuffer {
  usage: Map<string, UsageCount>
  failures: FailureRecord[]
  unitemized: number
  tokens: Map<string, { tokenId: string; lastAt: string; client: string }>
  last?: ActivityBatch['last']
  lastFlushAt: number
  flushPending: boolean
}

export interface ActivitySink {
  /** Sends one batch off the request path (a Queue message, never D1). */
  send(batch: ActivityBatch): Promise<unknown>
  /** Keeps the flush alive after the answer (the request's waitUntil). */
  waitUntil(promise: Promise<unknown>): void
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Aggregates SCIM requests per tenant in this isolate and sends them at most once per tenant every
 * FLUSH_INTERVAL_MS: the first request of a quiet tenant goes out at once (so the setup page sees an
 * identity provider's test connection within seconds), later ones wait for the interval. A flood of
 * requests, failing or not, is one message per interval with exact counts and at most
 * MAX_ITEMIZED_FAILURES itemized failures.
 */
export class ActivityRecorder {
  private readonly buffers = new Map<string, TenantBuffer>()

  constructor(private readonly now: () => number = Date.now) {}

  record(outcome: RequestOutcome, sink: ActivitySink): void {
    const buffer = this.bufferOf(outcome.tenant)
    const at = new Date(outcome.at).toISOString()
    const client = outcome.client.slice(0, MAX_CLIENT_LENGTH) || '(no User-Agent)'
    countUsage(buffer, { ...outcome, client }, at)
    if (outcome.tokenId) buffer.tokens.set(outcome.tokenId, { tokenId: outcome.tokenId, lastAt: at, client })
    buffer.last = { at, client, status: outcome.status }
    if (outcome.status >= 400) itemizeFailure(buffer, outcome, client, at)
    if (buffer.flushPending) return
    buffer.flushPending = true
    const wait = Math.max(0, buffer.lastFlushAt + FLUSH_INTERVAL_MS - this.now())
    sink.waitUntil((wait > 0 ? sleep(wait) : Promise.resolve()).then(() => this.flush(outcome.tenant, sink)))
  }

  private bufferOf(tenant: string): TenantBuffer {
    let buffer = this.buffers.get(tenant)
    if (!buffer) {
      buffer = emptyBuffer(Number.NEGATIVE_INFINITY)
      this.buffers.set(tenant, buffer)
    }
    return buffer
  }

  private async flush(tenant: string, sink: ActivitySink): Promise<void> {
    const buffer = this.buffers.get(tenant)
    if (!buffer?.last) return
    this.buffers.set(tenant, emptyBuffer(this.now()))
    await sink.send({
      tenant,
      usage: [...buffer.usage.values()],
      failures: buffer.failures,
      unitemized: buffer.unitemized,
      tokens: [...buffer.tokens.values()],
      last: buffer.last,
    })
  }
}

const emptyBuffer = (lastFlushAt: number): TenantBuffer => ({
  usage: new Map(),
  failures: [],
  unitemized: 0,
  tokens: new Map(),
  lastFlushAt,
  flushPending: false,
})

function countUsage(buffer: TenantBuffer, outcome: RequestOutcome, at: string) {
  let key = JSON.stringify([outcome.client, outcome.method, outcome.endpoint, outcome.status])
  let client = outcome.client
  if (!buffer.usage.has(key) && buffer.usage.size >= MAX_USAGE_KEYS) {
    client = OTHER_CLIENTS
    key = JSON.stringify([client, outcome.method, outcome.endpoint, outcome.status])
  }
  const count = buffer.usage.get(key)
  if (count) {
    count.count++
    count.lastAt = at
  } else {
    const { method, endpoint, status } = outcome
    buffer.usage.set(key, { client, method, endpoint, status, count: 1, firstAt: at, lastAt: at })
  }
}

function itemizeFailure(buffer: TenantBuffer, outcome: RequestOutcome, client: string, at: string) {
  if (buffer.failures.length >= MAX_ITEMIZED_FAILURES) {
    buffer.unitemized++
    return
  }
  buffer.failures.push({
    at,
    status: outcome.status,
    scimType: outcome.scimType,
    detail: outcome.detail?.slice(0, MAX_DETAIL_LENGTH),
    method: outcome.method,
    endpoint: outcome.endpoint,
    resourceId: outcome.resourceId,
    client,
    requestId: outcome.requestId,
    tokenId: outcome.tokenId,
  })
}
