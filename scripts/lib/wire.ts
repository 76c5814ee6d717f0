/**
 * Raw HTTP to `wrangler dev` for the fuzz and load scripts: any method, headers and body bytes,
 * answered with its status, headers, text and latency. (scripts/lib/dev-server.ts sends JSON
 * through a small pool; these scripts need raw bytes and their own concurrency.)
 */
import http from 'node:http'

export interface WireRequest {
  method: string
  /** Path and query; characters HTTP forbids in a request target are percent-encoded here. */
  path: string
  host: string
  headers?: Readonly<Record<string, string>>
  body?: string | Uint8Array
  timeoutMs?: number
}

export interface WireAnswer {
  status: number
  headers: { get(name: string): string | null }
  text: string
  ms: number
}

// A lone surrogate (which encodeURIComponent cannot encode) is sent as U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** The request target as HTTP allows it: printable ASCII except `#`, the rest percent-encoded. */
export function wirePath(path: string): string {
  return path.replace(LONE_SURROGATE, '\ufffd').replace(/[^\u0021-\u007e]|#/gu, (c) => encodeURIComponent(c))
}

export function createAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets })
}

/** Sends one request to 127.0.0.1:`port`; rejects only when no answer arrives. */
export function send(port: number, agent: http.Agent, request: WireRequest): Promise<WireAnswer> {
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? Buffer.from(request.body)
        : Buffer.from(request.body)
  const headers: http.OutgoingHttpHeaders = { ...request.headers, Host: request.host }
  if (body !== undefined) headers['Content-Length'] = body.length
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: wirePath(request.path), method: request.method, headers, agent },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              get: (name) => {
                const value = res.headers[name.toLowerCase()]
                return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
              },
            },
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    const timeoutMs = request.timeoutMs ?? 30_000
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.end(body)
  })
}

/** Runs `worker` on `concurrency` parallel lanes until it answers false. */
export async function lanes(concurrency: number, worker: (lane: number) => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (await worker(lane)) {
        // next
      }
    }),
  )
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}
